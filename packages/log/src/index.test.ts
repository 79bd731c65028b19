import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './index.js';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with service, level label and ISO time to the injected destination', () => {
    const { lines, stream } = sink();
    createLogger({ name: 'detector', destination: stream }).info({ partition: 3 }, 'assigned');
    expect(lines[0]).toMatchObject({ service: 'detector', level: 'info', msg: 'assigned', partition: 3 });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts credentials that arrive as plain fields', () => {
    const { lines, stream } = sink();
    const log = createLogger({ name: 'gw', destination: stream });
    log.info({ token: 'abc', req: { headers: { authorization: 'Bearer abc' } }, auth: { key: 'k', secret: 's' } }, 'x');
    expect(JSON.stringify(lines[0])).not.toMatch(/abc|"k"|"s"/);
  });
});

describe('redactUrl', () => {
  it.each([
    ['wss://ws.finnhub.io?token=SECRET', 'wss://ws.finnhub.io/?token=%5Bredacted%5D'],
    ['redis://user:pw@host:6379/0', 'redis://***:***@host:6379/0'],
    ['ws://127.0.0.1:8080/v1/stream', 'ws://127.0.0.1:8080/v1/stream'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});
