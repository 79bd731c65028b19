import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvSchema, OWNED_PREFIXES, SHARED_PREFIXES, TestEnvSchema, type Env, type TestEnv } from './env.js';
import { ConfigError, ConfigErrorCode } from './errors.js';
import { toConfigIssues } from './format-issues.js';
import { readJsonFile } from './json-file.js';
import { localInfra } from './local-infra.js';
import { isServiceLink, serviceLinkMessage } from './service-links.js';
import { UniverseFile, withSymbols, type Universe } from './universe.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_UNIVERSE_FILE = path.join(REPO_ROOT, 'config', 'universe.json');

export interface Config {
  env: Env;
  namespace: string;
  universe: Universe;
  universeFile: string;
  /** The infra.env that supplied KAFKA_BROKERS / REDIS_URL (see loadServiceConfig), if one did. */
  localInfraFile?: string;
  /** Which of the two it supplied. */
  localInfraKeys?: string[];
}

type EnvLike = Readonly<Record<string, string | undefined>>;

/** Validates the environment. Empty strings count as unset, as shells and compose files make them easily. */
export function parseEnv(raw: EnvLike): Env {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== '') cleaned[k] = v;
  const known = new Set(Object.keys(EnvSchema.shape));
  // One of our settings holding a Kubernetes service link would fail below with "expected number".
  const links = Object.entries(cleaned).filter(([k, v]) => known.has(k) && isServiceLink(k, v));
  if (links.length > 0) {
    throw new ConfigError(ConfigErrorCode.invalidEnv, 'environment', links.map(([k, v]) => ({ path: k, message: serviceLinkMessage(k, v) })));
  }
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) throw new ConfigError(ConfigErrorCode.invalidEnv, 'environment', toConfigIssues(result.error));
  if (result.data.ROTATION_STRICT_ENV) {
    // Service-link variables (DETECTOR_SERVICE_HOST, ...) are Kubernetes', not typos of ours.
    const unknown = Object.keys(cleaned).filter((k) => !known.has(k) && !isServiceLink(k, cleaned[k]!) && (OWNED_PREFIXES.some((p) => k.startsWith(p)) || (SHARED_PREFIXES.some((p) => k.startsWith(p)) && nearest(k, [...known]) !== undefined)));
    if (unknown.length > 0) {
      throw new ConfigError(
        ConfigErrorCode.unknownEnv,
        'environment',
        unknown.map((k) => ({ path: k, message: `unknown setting${suggest(k, [...known])}` })),
      );
    }
  }
  return result.data;
}

export function parseUniverse(json: unknown, source = 'universe'): Universe {
  const result = UniverseFile.safeParse(json);
  if (!result.success) throw new ConfigError(ConfigErrorCode.invalidFile, source, toConfigIssues(result.error));
  return withSymbols(result.data);
}

export function loadUniverseFile(file: string): Universe {
  return parseUniverse(readJsonFile(file), file);
}

/**
 * The one place the project reads `process.env`. Services call this once at start-up and pass
 * the result down; tests pass their own env object.
 */
export function loadConfig(env: EnvLike = process.env): Config {
  const parsed = parseEnv(env);
  const universeFile = path.resolve(parsed.ROTATION_UNIVERSE_FILE ?? DEFAULT_UNIVERSE_FILE);
  return { env: parsed, namespace: parsed.ROTATION_NAMESPACE, universe: loadUniverseFile(universeFile), universeFile };
}

/** The test suites' own settings (CHAOS_FULL), read here because this is the one reader of `process.env`. */
export function loadTestEnv(env: EnvLike = process.env): TestEnv {
  const result = TestEnvSchema.safeParse(env);
  if (!result.success) throw new ConfigError(ConfigErrorCode.invalidEnv, 'test environment', toConfigIssues(result.error));
  return result.data;
}

/**
 * loadConfig for a service's start-up: what the environment leaves of KAFKA_BROKERS / REDIS_URL
 * unset comes from a running local stack's infra.env (`pnpm start`, `pnpm infra:up`), so a
 * service started in a second terminal joins that stack. Tests and launchers that pass their own
 * environment use loadConfig and get no such lookup.
 */
export function loadServiceConfig(env: EnvLike = process.env): Config {
  const found = localInfra(env);
  if (!found) return loadConfig(env);
  return { ...loadConfig({ ...env, ...found.set }), localInfraFile: found.file, localInfraKeys: Object.keys(found.set) };
}

/** One line saying where the broker / Redis addresses came from, when an infra.env supplied them. */
export function localInfraNote(config: Config): string | undefined {
  if (!config.localInfraFile) return undefined;
  const rel = path.relative(process.cwd(), config.localInfraFile);
  const shown = rel && !rel.startsWith('..') ? rel : config.localInfraFile;
  const values = (config.localInfraKeys ?? []).map((k) => `${k}=${k === 'KAFKA_BROKERS' ? config.env.KAFKA_BROKERS.join(',') : redactUserInfo(config.env.REDIS_URL)}`);
  return `using the local stack of ${shown} (${values.join(' ')}) for what the environment leaves unset`;
}

/** A URL's password never reaches a log line. */
function redactUserInfo(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[redacted]@');
}

function suggest(name: string, candidates: string[]): string {
  const best = nearest(name, candidates);
  return best ? ` (did you mean ${best}?)` : '';
}

/** The candidate one or two edits from `name`, if any. */
function nearest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * The infrastructure addresses the user set explicitly (as opposed to defaults): the launcher
 * starts a local broker or Redis only for what is not given.
 */
export function infraOverrides(env: EnvLike = process.env): { kafkaBrokers?: string; redisUrl?: string } {
  const out: { kafkaBrokers?: string; redisUrl?: string } = {};
  if (env.KAFKA_BROKERS) out.kafkaBrokers = env.KAFKA_BROKERS;
  if (env.REDIS_URL) out.redisUrl = env.REDIS_URL;
  return out;
}

/**
 * A copy of this process's environment for a child process, with `set` applied and `unset`
 * removed. Launchers (pnpm start, tests, benchmarks) build child environments through here so
 * that the environment is still read in one place only.
 */
export function childEnv(
  set: Record<string, string | undefined> = {},
  unset: readonly string[] = [],
  base: EnvLike = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !unset.includes(k)) out[k] = v;
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}
