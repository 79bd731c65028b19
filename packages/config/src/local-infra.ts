import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `pnpm start` and `pnpm infra:up` write the addresses of the broker and Redis they run. */
export const LOCAL_INFRA_ENV_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..', '.data', 'infra.env');
// Two short lines are written; anything bigger is not that file.
const MAX_INFRA_ENV_BYTES = 4_096;

type EnvLike = Readonly<Record<string, string | undefined>>;

/** The addresses a local infra.env supplies for what the environment leaves unset. */
export interface LocalInfra {
  file: string;
  set: { KAFKA_BROKERS?: string; REDIS_URL?: string };
}

/**
 * KAFKA_BROKERS / REDIS_URL from the infra.env of a running `pnpm start` (or `infra:up`), for
 * each the environment leaves unset: a second terminal's `pnpm ingest` or `pnpm gateway` then
 * reaches that stack instead of the default address, where nothing listens. An address given in
 * the environment always wins; a missing or oversized file supplies nothing.
 */
export function localInfra(env: EnvLike): LocalInfra | undefined {
  const file = path.resolve(env.ROTATION_INFRA_ENV_FILE || LOCAL_INFRA_ENV_FILE);
  const wanted = (['KAFKA_BROKERS', 'REDIS_URL'] as const).filter((k) => !env[k]);
  if (wanted.length === 0) return undefined;
  let text: string;
  try {
    if (statSync(file).size > MAX_INFRA_ENV_BYTES) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const values = parseInfraEnv(text);
  const set: LocalInfra['set'] = {};
  for (const k of wanted) if (values[k]) set[k] = values[k];
  return Object.keys(set).length > 0 ? { file, set } : undefined;
}

/** `KEY=VALUE` lines as infra:up writes them; comments and other keys are ignored. */
export function parseInfraEnv(text: string): { KAFKA_BROKERS?: string; REDIS_URL?: string } {
  const out: { KAFKA_BROKERS?: string; REDIS_URL?: string } = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(KAFKA_BROKERS|REDIS_URL)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[2]) out[m[1] as 'KAFKA_BROKERS' | 'REDIS_URL'] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}
