import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig, localInfraNote } from './load.js';
import { localInfra, parseInfraEnv } from './local-infra.js';

function infraEnvFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'infra-env-')), 'infra.env');
  writeFileSync(file, text);
  return file;
}

describe('a running local stack found through its infra.env', () => {
  const written = 'KAFKA_BROKERS=127.0.0.1:40123\nREDIS_URL=redis://127.0.0.1:40124\n';

  it('reads the two lines infra:up writes and nothing else', () => {
    expect(parseInfraEnv(`# comment\n${written}OTHER=x\n`)).toEqual({ KAFKA_BROKERS: '127.0.0.1:40123', REDIS_URL: 'redis://127.0.0.1:40124' });
    expect(parseInfraEnv('KAFKA_BROKERS="h:1"\nREDIS_URL=\n')).toEqual({ KAFKA_BROKERS: 'h:1' });
  });

  it('supplies only what the environment leaves unset', () => {
    const file = infraEnvFile(written);
    expect(localInfra({ ROTATION_INFRA_ENV_FILE: file })).toEqual({ file, set: { KAFKA_BROKERS: '127.0.0.1:40123', REDIS_URL: 'redis://127.0.0.1:40124' } });
    expect(localInfra({ ROTATION_INFRA_ENV_FILE: file, KAFKA_BROKERS: 'mine:9092' })).toEqual({ file, set: { REDIS_URL: 'redis://127.0.0.1:40124' } });
    expect(localInfra({ ROTATION_INFRA_ENV_FILE: file, KAFKA_BROKERS: 'mine:9092', REDIS_URL: 'redis://mine' })).toBeUndefined();
  });

  it('supplies nothing when the file is missing or is not an infra.env', () => {
    expect(localInfra({ ROTATION_INFRA_ENV_FILE: path.join(tmpdir(), 'no-such-dir-xyz', 'infra.env') })).toBeUndefined();
    expect(localInfra({ ROTATION_INFRA_ENV_FILE: infraEnvFile(`${'x'.repeat(5_000)}\n${written}`) })).toBeUndefined();
  });

  it('loadServiceConfig uses it and says so; the given address wins', () => {
    const file = infraEnvFile(written);
    const config = loadServiceConfig({ ROTATION_INFRA_ENV_FILE: file, REDIS_URL: 'redis://user:pw@mine:6379' });
    expect(config.env.KAFKA_BROKERS).toEqual(['127.0.0.1:40123']);
    expect(config.env.REDIS_URL).toBe('redis://user:pw@mine:6379');
    expect(config.localInfraFile).toBe(file);
    expect(localInfraNote(config)).toMatch(/\(KAFKA_BROKERS=127\.0\.0\.1:40123\)/);
    expect(localInfraNote(config)).not.toContain('mine');
    const none = loadServiceConfig({ ROTATION_INFRA_ENV_FILE: `${file}.absent` });
    expect(none.env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(localInfraNote(none)).toBeUndefined();
  });

  it('never prints a Redis password it found there', () => {
    const config = loadServiceConfig({ ROTATION_INFRA_ENV_FILE: infraEnvFile('REDIS_URL=redis://u:s3cret@127.0.0.1:1\n'), KAFKA_BROKERS: 'k:1' });
    expect(localInfraNote(config)).toContain('REDIS_URL=redis://[redacted]@127.0.0.1:1');
    expect(localInfraNote(config)).not.toContain('s3cret');
  });
});
