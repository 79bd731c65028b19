/**
 * `pnpm infra:up` / `pnpm infra:down`: a real Kafka broker and Redis for this checkout, started
 * without Docker. `up` returns once both answer and writes .data/infra.env.
 */
import { Command } from 'commander';
import { infraDown, infraUp } from './infra.js';
import path from 'node:path';
import { DATA_DIR } from './paths.js';
import { stateFiles } from './state.js';

const log = (msg: string) => console.error(`[infra] ${msg}`);
const program = new Command('infra')
  .description('local Kafka broker and Redis for development and tests')
  .option('--data-dir <dir>', 'where data, logs and the state file live', DATA_DIR);
const dataDir = () => path.resolve(program.opts<{ dataDir: string }>().dataDir);

program
  .command('up')
  .description('start Kafka and Redis (each unless KAFKA_BROKERS / REDIS_URL is set) and write .data/infra.env')
  .action(async () => {
    const t0 = Date.now();
    const { state, started, reused } = await infraUp(log, dataDir());
    for (const s of reused) log(`already running: ${s}`);
    log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s${started.length ? ` (started ${started.join(', ')})` : ''}`);
    console.log(`KAFKA_BROKERS=${state.kafkaBrokers}\nREDIS_URL=${state.redisUrl}`);
    const envFile = stateFiles(dataDir()).env;
    log(`written to ${envFile}; load it with: set -a; . ${envFile}; set +a`);
  });

program
  .command('down')
  .description('stop what `up` started')
  .action(async () => {
    await infraDown(log, dataDir());
  });

program.parseAsync().catch((error: Error) => {
  log(error.message);
  process.exit(1);
});
