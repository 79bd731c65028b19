import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { DEFAULT_UNIVERSE_FILE, loadConfig, loadUniverseFile, parseEnv, parseUniverse } from './load.js';
import { parseDuration } from './universe.js';
import { MAX_CONFIG_FILE_BYTES } from './json-file.js';
import { readFileSync } from 'node:fs';

const defaultUniverse = JSON.parse(readFileSync(DEFAULT_UNIVERSE_FILE, 'utf8')) as Record<string, unknown>;

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('Kubernetes service links', () => {
  // What a pod gets for a Service named gateway and one named detector in its namespace.
  const links = {
    GATEWAY_SERVICE_HOST: '10.96.0.7',
    GATEWAY_SERVICE_PORT: '8080',
    GATEWAY_SERVICE_PORT_HTTP: '8080',
    GATEWAY_PORT_8080_TCP: 'tcp://10.96.0.7:8080',
    GATEWAY_PORT_8080_TCP_PROTO: 'tcp',
    GATEWAY_PORT_8080_TCP_PORT: '8080',
    GATEWAY_PORT_8080_TCP_ADDR: '10.96.0.7',
    DETECTOR_PORT: 'tcp://10.96.0.9:9465',
    DETECTOR_SERVICE_HOST: '10.96.0.9',
  };

  it('are not rejected as unknown settings', () => {
    expect(parseEnv(links).GATEWAY_PORT).toBe(8080);
  });

  it('in GATEWAY_PORT: a clear error naming enableServiceLinks, not "expected number"', () => {
    const issues = issuesOf(() => parseEnv({ ...links, GATEWAY_PORT: 'tcp://10.96.0.7:8080' }));
    expect(issues).toEqual([{ path: 'GATEWAY_PORT', message: expect.stringMatching(/Kubernetes service link \(a Service named "gateway".*enableServiceLinks: false/) }]);
  });

  it('a typo under our prefixes is still caught', () => {
    expect(issuesOf(() => parseEnv({ ...links, GATEWAY_PROT: '80' }))).toEqual([{ path: 'GATEWAY_PROT', message: expect.stringContaining('did you mean GATEWAY_PORT') }]);
  });
});

describe('environment', () => {
  it('applies defaults', () => {
    const env = parseEnv({});
    expect(env.ROTATION_NAMESPACE).toBe('rotation');
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(env.GATEWAY_PORT).toBe(8080);
  });

  it('has no CORS origin unless configured, and * only when written', () => {
    expect(parseEnv({}).GATEWAY_CORS_ORIGINS).toEqual([]);
    expect(parseEnv({ GATEWAY_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).GATEWAY_CORS_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(parseEnv({ GATEWAY_CORS_ORIGINS: '*' }).GATEWAY_CORS_ORIGINS).toEqual(['*']);
  });

  it('splits lists and coerces numbers', () => {
    const env = parseEnv({ KAFKA_BROKERS: 'a:1, b:2', GATEWAY_PORT: '9000', GATEWAY_AUTH_TOKENS: 'token-one-0123456789,token-two-0123456789' });
    expect(env.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(env.GATEWAY_PORT).toBe(9000);
    expect(env.GATEWAY_AUTH_TOKENS).toEqual(['token-one-0123456789', 'token-two-0123456789']);
  });

  it.each([
    [{ GATEWAY_PORT: 'eighty' }, 'GATEWAY_PORT'],
    [{ ROTATION_NAMESPACE: 'Has Spaces' }, 'ROTATION_NAMESPACE'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ GATEWAY_CORS_ORIGINS: 'https://app.example.com/' }, 'GATEWAY_CORS_ORIGINS[0]'],
    [{ GATEWAY_CORS_ORIGINS: 'http://localhost, app.example.com' }, 'GATEWAY_CORS_ORIGINS[1]'],
  ])('names the failing variable for %j', (env, name) => {
    expect(issuesOf(() => parseEnv(env)).map((i) => i.path)).toEqual([name]);
  });

  it('rejects an unknown variable under our prefixes and suggests the right name', () => {
    const issues = issuesOf(() => parseEnv({ GATEWAY_AUTH_TOKEN: 'x' }));
    expect(issues[0]).toEqual({ path: 'GATEWAY_AUTH_TOKEN', message: 'unknown setting (did you mean GATEWAY_AUTH_TOKENS?)' });
  });

  it('ignores variables of other programs', () => {
    expect(() => parseEnv({ PATH: '/bin', KAFKA_HEAP_OPTS: '-Xmx1g' })).not.toThrow();
  });

  it('catches a typo under KAFKA_ and REDIS_, which other programs share', () => {
    const issues = issuesOf(() => parseEnv({ KAFKA_BROKER: 'a:1', REDIS_ULR: 'redis://x:1', KAFKA_OPTS: '-Dx', REDIS_HOST: 'cache' }));
    expect(issues).toEqual([
      { path: 'KAFKA_BROKER', message: 'unknown setting (did you mean KAFKA_BROKERS?)' },
      { path: 'REDIS_ULR', message: 'unknown setting (did you mean REDIS_URL?)' },
    ]);
  });

  it('never shows a secret when the config is logged or serialised', () => {
    const env = parseEnv({ GATEWAY_JWT_SECRET: 'hunter2-hunter2-hunter2-hunter2-hunter2', ALPACA_SECRET_KEY: 'shh' });
    expect(JSON.stringify(env)).not.toContain('hunter2');
    expect(inspect(env, { depth: 5 })).not.toContain('shh');
    expect(env.GATEWAY_JWT_SECRET?.reveal()).toBe('hunter2-hunter2-hunter2-hunter2-hunter2');
  });

  it.each([
    [{ GATEWAY_JWT_SECRET: 'x' }, 'GATEWAY_JWT_SECRET', /at least 32 bytes/],
    [{ GATEWAY_JWT_SECRET: 'a'.repeat(31) }, 'GATEWAY_JWT_SECRET', /at least 32 bytes/],
    [{ GATEWAY_AUTH_TOKENS: 'long-enough-token-000,short' }, 'GATEWAY_AUTH_TOKENS', /at least 16 characters/],
    [{ GATEWAY_MAX_CONNECTIONS_PER_IP: '-1' }, 'GATEWAY_MAX_CONNECTIONS_PER_IP', /./],
    // A named token's own part counts, not the name in front of it.
    [{ GATEWAY_AUTH_TOKENS: 'alice-with-a-long-name:short' }, 'GATEWAY_AUTH_TOKENS', /at least 16 characters/],
  ])('refuses weak or invalid gateway auth settings: %j', (env, name, message) => {
    const issues = issuesOf(() => parseEnv(env));
    expect(issues.map((i) => i.path)).toEqual([name]);
    expect(issues[0]?.message).toMatch(message);
    // A refused credential is never echoed back into logs.
    expect(issues[0]?.message).not.toContain('short');
  });

  it('accepts credentials at the minimum lengths and defaults the connection caps and exp requirement', () => {
    const env = parseEnv({ GATEWAY_JWT_SECRET: 'a'.repeat(32), GATEWAY_AUTH_TOKENS: 'b'.repeat(16) });
    expect(env.GATEWAY_JWT_SECRET?.reveal()).toHaveLength(32);
    expect(env.GATEWAY_AUTH_TOKENS).toEqual(['b'.repeat(16)]);
    expect(env.GATEWAY_JWT_REQUIRE_EXP).toBe(true);
    expect(env.GATEWAY_MAX_CONNECTIONS_PER_TOKEN).toBe(1_000);
    expect(env.GATEWAY_MAX_CONNECTIONS_PER_IP).toBe(1_000);
    expect(parseEnv({ GATEWAY_MAX_CONNECTIONS_PER_TOKEN: '0', GATEWAY_JWT_REQUIRE_EXP: 'false' })).toMatchObject({ GATEWAY_MAX_CONNECTIONS_PER_TOKEN: 0, GATEWAY_JWT_REQUIRE_EXP: false });
    expect(parseEnv({ GATEWAY_AUTH_TOKENS: `alice:${'c'.repeat(16)},ops:${'d'.repeat(16)}:admin` }).GATEWAY_AUTH_TOKENS).toEqual([`alice:${'c'.repeat(16)}`, `ops:${'d'.repeat(16)}:admin`]);
    expect(parseEnv({}).GATEWAY_RULES_MAX_PER_OWNER).toBe(100);
  });
});

describe('universe', () => {
  it('loads the default universe with every required instrument', () => {
    const u = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
    expect(u.smallCaps).toEqual(['IWM', 'IJR']);
    expect(u.largeCaps).toEqual(['SPY', 'QQQ', 'DIA']);
    expect(u.equalWeight).toBe('RSP');
    expect(u.sectors.map((s) => s.symbol)).toEqual(['XLB', 'XLC', 'XLE', 'XLF', 'XLI', 'XLK', 'XLP', 'XLRE', 'XLU', 'XLV', 'XLY']);
    expect(u.baskets[0]?.symbols).toEqual(['NVDA', 'MSFT', 'AVGO', 'GOOGL', 'META', 'AMZN', 'AAPL', 'TSLA']);
    expect(u.windows).toEqual(['5m', '1h', '1d', '7d']);
    expect(u.symbols).toContain('NVDA');
    expect(u.detector.spreadZScore.lookbackBars).toBe(63);
  });

  it.each([
    [{ ...defaultUniverse, colour: 'red' }, '(root)', /unknown key.*"colour"/],
    [{ ...defaultUniverse, sectors: [{ symbol: 'XLB', name: 'Materials' }, { symbol: 'XLK', name: 7 }] }, 'sectors[1].name', /string/],
    [{ ...defaultUniverse, windows: ['5 minutes'] }, 'windows[0]', /5m, 1h/],
    [{ ...defaultUniverse, pairs: [{ small: 'IWM', large: 'NOPE' }] }, 'pairs[0].large', /neither a symbol/],
    [{ ...defaultUniverse, detector: { sizeRegime: { enterPp: -1 } } }, 'detector.sizeRegime.enterPp', /[>]|positive|too small/i],
  ])('names the failing path (%#)', (json, pathName, message) => {
    const issues = issuesOf(() => parseUniverse(json));
    expect(issues[0]?.path).toBe(pathName);
    expect(issues[0]?.message).toMatch(message);
  });

  it('reports a missing required value', () => {
    const { benchmark: _omit, ...rest } = defaultUniverse;
    expect(issuesOf(() => parseUniverse(rest))[0]?.path).toBe('benchmark');
  });

  it('reports a file that is not JSON with its path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'u.json');
    writeFileSync(file, '{ nope');
    expect(() => loadConfig({ ROTATION_UNIVERSE_FILE: file })).toThrow(new RegExp(`${file}: invalid configuration`));
  });

  it('refuses a file over the size limit before reading it, naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'big.json');
    writeFileSync(file, `{"pad":"${'x'.repeat(MAX_CONFIG_FILE_BYTES)}"}`);
    const err = (() => {
      try {
        loadUniverseFile(file);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/the limit is 1048576/);
  });

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['7d', 604_800_000],
  ])('parses duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
