import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnFirstFree, portsToTry } from './listen.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function server(): Server {
  const s = createServer();
  servers.push(s);
  return s;
}

describe('listenOnFirstFree', () => {
  it('moves on to the next port when one is taken', async () => {
    const first = await listenOnFirstFree(server(), [0], '127.0.0.1');
    const second = await listenOnFirstFree(server(), [first, first + 1, first + 2], '127.0.0.1');
    expect(second).toBeGreaterThan(first);
  });

  it('fails with EADDRINUSE when every port is taken', async () => {
    const taken = await listenOnFirstFree(server(), [0], '127.0.0.1');
    await expect(listenOnFirstFree(server(), [taken], '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('portsToTry', () => {
  it('tries only a configured port, else the default and nine more two apart', () => {
    expect(portsToTry(9000, 9465)).toEqual([9000]);
    expect(portsToTry(undefined, 9465)).toEqual([9465, 9467, 9469, 9471, 9473, 9475, 9477, 9479, 9481, 9483]);
  });
});
