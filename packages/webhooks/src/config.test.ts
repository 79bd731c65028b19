import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@rotation/config';
import { loadWebhooksFile, parseWebhooksFile } from './config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'webhooks-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('parseWebhooksFile', () => {
  it('applies defaults and wraps the secret so it cannot be printed', () => {
    const file = parseWebhooksFile({ sinks: [{ name: 'ops', url: 'https://hooks.example.com/x', secret: 'whsec_0123456789abcdef' }] });
    const sink = file.sinks[0]!;
    expect(sink).toMatchObject({ format: 'json', minSeverity: 'info', timeoutMs: 5_000, maxAttempts: 8, backoff: { baseMs: 1_000, capMs: 60_000 }, queueSize: 1_000 });
    expect(sink.secret?.reveal()).toBe('whsec_0123456789abcdef');
    expect(JSON.stringify(file)).not.toContain('whsec_');
    expect(inspect(file, { depth: 5 })).not.toContain('whsec_');
  });

  it.each([
    ['an unknown top-level key', { sinks: [], extra: 1 }, '(root)', /unknown key\(s\) "extra"/],
    ['an unknown sink key', { sinks: [{ name: 'a', url: 'https://x.test', retries: 3 }] }, 'sinks[0]', /unknown key\(s\) "retries"/],
    ['a non-http URL', { sinks: [{ name: 'a', url: 'ftp://x.test' }] }, 'sinks[0].url', /http/],
    ['credentials in the URL', { sinks: [{ name: 'a', url: 'https://user:hunter2-pass@x.test/hook' }] }, 'sinks[0].url', /must not embed credentials/],
    ['a user name in the URL', { sinks: [{ name: 'a', url: 'https://user@x.test/hook' }] }, 'sinks[0].url', /must not embed credentials/],
    ['a short secret', { sinks: [{ name: 'a', url: 'https://x.test', secret: 'short' }] }, 'sinks[0].secret', /16 characters/],
    ['an unknown kind', { sinks: [{ name: 'a', url: 'https://x.test', kinds: ['moon_phase'] }] }, 'sinks[0].kinds[0]', /./],
    ['an unknown severity', { sinks: [{ name: 'a', url: 'https://x.test', minSeverity: 'fatal' }] }, 'sinks[0].minSeverity', /./],
    ['a cap below the base', { sinks: [{ name: 'a', url: 'https://x.test', backoff: { baseMs: 5_000, capMs: 10 } }] }, 'sinks[0].backoff.capMs', /capMs must be >= baseMs/],
    ['duplicate names', { sinks: [{ name: 'a', url: 'https://x.test' }, { name: 'a', url: 'https://y.test' }] }, 'sinks[1].name', /duplicate sink name "a"/],
    ['a bad header name', { sinks: [{ name: 'a', url: 'https://x.test', headers: { 'bad header': 'v' } }] }, 'sinks[0].headers.bad header', /key/],
  ])('rejects %s, naming the path', (_name, json, at, message) => {
    const issues = issuesOf(() => parseWebhooksFile(json));
    expect(issues).toContainEqual({ path: at, message: expect.stringMatching(message) });
  });

  it('never echoes a rejected secret in the error', () => {
    try {
      parseWebhooksFile({ sinks: [{ name: 'a', url: 'https://x.test', secret: 'tiny-secret' }] });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('tiny-secret');
    }
  });
});

describe('loadWebhooksFile', () => {
  it('loads a valid file', () => {
    const file = path.join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ sinks: [{ name: 'slack', url: 'https://hooks.slack.test/T/B/x', format: 'slack', minSeverity: 'warning' }] }));
    expect(loadWebhooksFile(file).sinks.map((s) => [s.name, s.format])).toEqual([['slack', 'slack']]);
  });

  it.each([
    ['a missing file', 'missing.json', null, 'CONFIG_FILE_UNREADABLE'],
    ['a file that is not JSON', 'bad.json', '{sinks:', 'CONFIG_FILE_NOT_JSON'],
    ['a file that fails the schema', 'invalid.json', '{"sinks":[{"name":"a"}]}', 'CONFIG_INVALID_FILE'],
  ])('reports %s with the file name', (_name, name, content, code) => {
    const file = path.join(dir, name);
    if (content !== null) writeFileSync(file, content);
    expect(() => loadWebhooksFile(file)).toThrow(expect.objectContaining({ code, source: file, message: expect.stringContaining(file) }));
  });
});
