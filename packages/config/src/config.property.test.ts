/**
 * Guarantee 7 (bad input everywhere), configuration: whatever a user puts in the environment or
 * in the universe file, loading it either succeeds or fails with a ConfigError that names the
 * offending path; it never throws anything else, and a valid file is never refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, EnvSchema, loadUniverseFile, parseEnv, parseUniverse, DEFAULT_UNIVERSE_FILE } from './index.js';
import { readFileSync } from 'node:fs';

const RUNS = { numRuns: 300 };
const KNOWN_ENV = Object.keys(EnvSchema.shape);
const REAL_UNIVERSE = JSON.parse(readFileSync(DEFAULT_UNIVERSE_FILE, 'utf8')) as Record<string, unknown>;

/** A ConfigError with at least one issue whose path and message are non-empty: a person can act on it. */
function expectClearConfigError(e: unknown): void {
  expect(e).toBeInstanceOf(ConfigError);
  const err = e as ConfigError;
  expect(err.issues.length).toBeGreaterThan(0);
  for (const issue of err.issues) {
    expect(issue.path.length).toBeGreaterThan(0);
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

function outcome(f: () => unknown): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

const envKey = fc.oneof(fc.constantFrom(...KNOWN_ENV), fc.string({ maxLength: 24 }), fc.constantFrom('GATEWAY_PROT', 'ROTATION_NAMESPCE', 'DETECTOR_X', 'PATH', 'HOME'));
const envValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '65536', '8080', 'true', 'yes', 'redis://127.0.0.1:6379', 'not a url', 'a,b,,c', 'DEBUG', 'info', 'x'.repeat(70)),
  fc.integer().map(String),
);

describe('parseEnv under arbitrary environments', () => {
  it('returns a typed Env or throws a ConfigError naming each bad variable', () => {
    fc.assert(
      fc.property(fc.dictionary(envKey, fc.option(envValue, { nil: undefined }), { maxKeys: 12 }), (raw) => {
        const r = outcome(() => parseEnv(raw));
        if (!r.ok) expectClearConfigError(r.error);
        else expect(EnvSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''))).success).toBe(true);
      }),
      RUNS,
    );
  });

  it('accepts every well-formed value it documents (a good setting is never refused)', () => {
    const good = fc.record(
      {
        ROTATION_NAMESPACE: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/),
        LOG_LEVEL: fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
        GATEWAY_PORT: fc.integer({ min: 0, max: 65535 }).map(String),
        KAFKA_TICKS_PARTITIONS: fc.integer({ min: 1, max: 1000 }).map(String),
        KAFKA_BROKERS: fc.array(fc.tuple(fc.constantFrom('127.0.0.1', 'kafka', 'b-1.example.com'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`), { minLength: 1, maxLength: 3 }).map((a) => a.join(',')),
        ROTATION_STRICT_ENV: fc.constantFrom('true', 'false', '1', '0'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(good, (raw) => {
        const env = parseEnv(raw);
        if (raw.GATEWAY_PORT !== undefined) expect(env.GATEWAY_PORT).toBe(Number(raw.GATEWAY_PORT));
        if (raw.ROTATION_NAMESPACE !== undefined) expect(env.ROTATION_NAMESPACE).toBe(raw.ROTATION_NAMESPACE);
        if (raw.KAFKA_BROKERS !== undefined) expect(env.KAFKA_BROKERS.join(',')).toBe(raw.KAFKA_BROKERS);
      }),
      RUNS,
    );
  });

  it('reports a misspelt owned variable as unknown, with a suggestion', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN_ENV.filter((k) => k.startsWith('GATEWAY_') || k.startsWith('ROTATION_'))), fc.nat(), (key, n) => {
        const i = 1 + (n % (key.length - 1));
        const typo = key.slice(0, i) + key.slice(i + 1); // one character dropped
        fc.pre(!KNOWN_ENV.includes(typo) && /^(ROTATION_|GATEWAY_|INGESTER_|DETECTOR_)/.test(typo));
        const r = outcome(() => parseEnv({ [typo]: '1' }));
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expectClearConfigError(r.error);
          expect((r.error as ConfigError).issues.some((x) => x.path === typo)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

/** Replaces the value at a random path of a JSON document, so mutations reach deep fields. */
function mutateAt(doc: unknown, choices: number[], replacement: unknown): unknown {
  if (choices.length === 0 || typeof doc !== 'object' || doc === null) return replacement;
  const [c, ...rest] = choices as [number, ...number[]];
  if (Array.isArray(doc)) {
    if (doc.length === 0) return replacement;
    const copy = doc.slice();
    copy[c % copy.length] = mutateAt(copy[c % copy.length], rest, replacement);
    return copy;
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return replacement;
  const k = keys[c % keys.length]!;
  return { ...(doc as Record<string, unknown>), [k]: mutateAt((doc as Record<string, unknown>)[k], rest, replacement) };
}

describe('parseUniverse under arbitrary documents', () => {
  it('never throws anything but a ConfigError on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        const r = outcome(() => parseUniverse(json, 'prop.json'));
        if (!r.ok) expectClearConfigError(r.error);
      }),
      RUNS,
    );
  });

  it('a mutated real universe is either still valid or refused with the path of the problem', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), (choices, replacement) => {
        const mutated = mutateAt(REAL_UNIVERSE, choices, replacement);
        const r = outcome(() => parseUniverse(mutated, 'mutated.json'));
        if (!r.ok) expectClearConfigError(r.error);
        else expect((r.value as { symbols: string[] }).symbols.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('accepts every valid universe it is given and keeps every symbol (nothing dropped)', () => {
    const sym = fc.stringMatching(/^[A-Z][A-Z0-9]{0,4}$/);
    const universe = fc
      .record({
        benchmark: sym,
        equalWeight: sym,
        smallCaps: fc.array(sym, { minLength: 1, maxLength: 3 }),
        largeCaps: fc.array(sym, { minLength: 1, maxLength: 3 }),
        sectors: fc.uniqueArray(sym, { minLength: 2, maxLength: 11 }).map((s) => s.map((symbol) => ({ symbol, name: `Sector ${symbol}` }))),
        windows: fc.array(fc.stringMatching(/^[1-9][0-9]?[smhdw]$/), { minLength: 1, maxLength: 4 }),
      })
      .map((u) => ({ ...u, pairs: [{ small: u.smallCaps[0]!, large: u.largeCaps[0]! }] }));
    fc.assert(
      fc.property(universe, (u) => {
        const parsed = parseUniverse(u, 'generated.json');
        for (const s of [u.benchmark, u.equalWeight, ...u.smallCaps, ...u.largeCaps, ...u.sectors.map((x) => x.symbol)]) expect(parsed.symbols).toContain(s);
      }),
      RUNS,
    );
  });
});

describe('loadUniverseFile under arbitrary file contents', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'prop-universe-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('any bytes on disk give a universe or a ConfigError (not JSON, invalid, unreadable)', async () => {
    const file = path.join(dir, 'u.json');
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.nat({ max: 2000 }).map((n) => Buffer.from(JSON.stringify(REAL_UNIVERSE).slice(0, n))),
    );
    await fc.assert(
      fc.asyncProperty(content, async (bytes) => {
        await writeFile(file, bytes);
        const r = outcome(() => loadUniverseFile(file));
        if (!r.ok) expectClearConfigError(r.error);
      }),
      { numRuns: 200 },
    );
    const missing = outcome(() => loadUniverseFile(path.join(dir, 'nope.json')));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expectClearConfigError(missing.error);
  });
});
