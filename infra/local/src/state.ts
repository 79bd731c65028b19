import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What `infra:up` started, so `infra:down` (or the next `up`) knows what to stop. */
export interface InfraState {
  kafka?: { pid: number; port: number; controllerPort: number; bootstrap: string; dataDir: string };
  redis?: { pid: number; port: number; url: string; dataDir: string };
  kafkaBrokers: string;
  redisUrl: string;
}

export function stateFiles(dataDir: string) {
  return { state: path.join(dataDir, 'infra.json'), env: path.join(dataDir, 'infra.env') };
}

export async function readState(dataDir: string): Promise<InfraState | undefined> {
  const text = await readFile(stateFiles(dataDir).state, 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as InfraState) : undefined;
}

export async function writeState(dataDir: string, state: InfraState): Promise<void> {
  const files = stateFiles(dataDir);
  await mkdir(dataDir, { recursive: true });
  await writeFile(files.state, `${JSON.stringify(state, null, 2)}\n`);
  await writeFile(files.env, `KAFKA_BROKERS=${state.kafkaBrokers}\nREDIS_URL=${state.redisUrl}\n`);
}

export async function clearState(dataDir: string): Promise<void> {
  const files = stateFiles(dataDir);
  await rm(files.state, { force: true });
  await rm(files.env, { force: true });
}
