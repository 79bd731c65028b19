/**
 * The `rotation` command: `rotation watch …`, `rotation rules …`, `rotation --version`. In the
 * repository bin/rotation.mjs runs this file through tsx; the published package runs the bundle
 * of it (dist/cli.js), so an installed client needs no TypeScript loader.
 */
import pkg from '../../package.json' with { type: 'json' };
import { main as rules } from './rules.js';
import { ExitCode, main as watch } from './watch.js';

const USAGE = `usage: rotation watch [--url ws://…] [--channels alerts,spreads] [--alerts-only] [--state-every s] [--token-file path] [--json]
       rotation rules add|ls|rm|pause|resume [--url http://…] [--token-file path] … (rotation rules --help)
       rotation --version\n`;

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${pkg.version}\n`);
    return ExitCode.ok;
  }
  if (command === 'watch') return watch(rest);
  if (command === 'rules') return rules(rest);
  // Help exits 0, a usage error 1 (docs/client.md).
  const help = command === undefined || command === '--help' || command === '-h';
  (help ? process.stdout : process.stderr).write(USAGE);
  return help ? ExitCode.ok : ExitCode.usage;
}

/** Runs the command line and exits with its code; an unexpected failure exits 3 with its stack. */
export function runAndExit(argv: string[]): void {
  run(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`rotation failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(ExitCode.fatal);
    },
  );
}
