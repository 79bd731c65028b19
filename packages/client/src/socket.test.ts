import { describe, expect, it } from 'vitest';
import { connectUrl, describeSocketError, httpStatusOf, redactToken, resolveWebSocket } from './socket.js';
import { fakeWebSocket } from './testing.js';

describe('connectUrl', () => {
  it.each([
    ['ws://h:1/v1/stream', undefined, 'query', 'ws://h:1/v1/stream'],
    ['ws://h:1/v1/stream', 's3cr3t', 'query', 'ws://h:1/v1/stream?token=s3cr3t'],
    ['ws://h:1/v1/stream?x=1', 'a b&c', 'query', 'ws://h:1/v1/stream?x=1&token=a+b%26c'],
    ['ws://h:1/v1/stream', 's3cr3t', 'header', 'ws://h:1/v1/stream'],
  ] as const)('%s with token %s via %s', (url, token, transport, expected) => {
    expect(connectUrl(url, token, transport)).toBe(expected);
  });
});

describe('httpStatusOf', () => {
  it.each([
    [{ message: 'Unexpected server response: 401' }, 401],
    [{ error: { message: 'Unexpected server response: 403' } }, 403],
    [{ message: 'connect ECONNREFUSED 127.0.0.1:1' }, undefined],
    [{}, undefined],
    [null, undefined],
  ])('%j -> %s', (event, status) => {
    expect(httpStatusOf(event)).toBe(status);
  });
});

describe('describeSocketError', () => {
  it('prefers the system error code and never repeats a token', () => {
    expect(describeSocketError({ error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } })).toBe('ECONNREFUSED');
    expect(describeSocketError({ message: 'Invalid URL: ws://h/v1/stream?token=abc&x=1' })).toBe('Invalid URL: ws://h/v1/stream?token=[redacted]&x=1');
    expect(redactToken('wss://h/?a=1&TOKEN=zz#f')).toBe('wss://h/?a=1&TOKEN=[redacted]#f');
  });
});

describe('resolveWebSocket', () => {
  it('uses the given class and does not claim header support for it', async () => {
    const fake = fakeWebSocket();
    const resolved = await resolveWebSocket(fake.WebSocket, () => Promise.reject(new Error('must not load ws')));
    expect(resolved.supportsHeaders).toBe(false);
    resolved.create('ws://h/v1/stream', { maxPayload: 10, headers: { Authorization: 'Bearer x' } });
    expect(fake.latest().url).toBe('ws://h/v1/stream');
    expect(fake.latest().options).toBeUndefined();
  });

  it('in Node, loads ws (header auth, HTTP status of a refused upgrade) even where a global WebSocket exists', async () => {
    const made: unknown[][] = [];
    class WsLike {
      constructor(...args: unknown[]) {
        made.push(args);
      }
    }
    const resolved = await resolveWebSocket(undefined, async () => ({ WebSocket: WsLike }), true);
    expect(resolved.supportsHeaders).toBe(true);
    resolved.create('ws://h/v1/stream', { maxPayload: 1024, headers: { Authorization: 'Bearer x' } });
    expect(made[0]).toEqual(['ws://h/v1/stream', [], { maxPayload: 1024, perMessageDeflate: false, headers: { Authorization: 'Bearer x' } }]);
  });

  it('in Node without ws, falls back to the global WebSocket', async () => {
    const fake = fakeWebSocket();
    const resolved = await withGlobalWebSocket(fake.WebSocket, () => resolveWebSocket(undefined, () => Promise.reject(new Error('Cannot find package ws')), true));
    expect(resolved.supportsHeaders).toBe(false);
  });

  it('in a browser, uses the global WebSocket and never loads ws', async () => {
    const fake = fakeWebSocket();
    const resolved = await withGlobalWebSocket(fake.WebSocket, () => resolveWebSocket(undefined, () => Promise.reject(new Error('must not load ws')), false));
    expect(resolved.supportsHeaders).toBe(false);
  });

  it('explains what to do when neither exists', async () => {
    await expect(withGlobalWebSocket(undefined, () => resolveWebSocket(undefined, () => Promise.reject(new Error('Cannot find package ws')), true))).rejects.toMatchObject({
      code: 'CLIENT_NO_WEBSOCKET',
      message: expect.stringMatching(/install ws or pass options.WebSocket/),
    });
  });
});

/** Runs `fn` with globalThis.WebSocket set to `ctor` (or absent), restoring the runtime's own afterwards. */
async function withGlobalWebSocket<T>(ctor: unknown, fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { WebSocket?: unknown };
  const saved = Object.getOwnPropertyDescriptor(g, 'WebSocket');
  if (ctor === undefined) delete g.WebSocket;
  else Object.defineProperty(g, 'WebSocket', { value: ctor, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    if (saved) Object.defineProperty(g, 'WebSocket', saved);
    else delete g.WebSocket;
  }
}
