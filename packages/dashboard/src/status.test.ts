import { describe, expect, it } from 'vitest';
import { ClientError, ClientErrorCode } from '@rotation/client';
import { fromClientStatus } from './status.js';

describe('fromClientStatus', () => {
  it.each([
    [{ state: 'idle' }, { kind: 'connecting', attempt: 0 }],
    [{ state: 'connecting', attempt: 2 }, { kind: 'connecting', attempt: 2 }],
    [{ state: 'open', instance: 'gw-1', epoch: 'e1', heartbeatMs: 15_000 }, { kind: 'live', instance: 'gw-1', epoch: 'e1' }],
    [{ state: 'reconnecting', attempt: 3, delayMs: 2_500, reason: 'connection lost' }, { kind: 'reconnecting', attempt: 3, atMs: 1_002_500, reason: 'connection lost' }],
    [{ state: 'closed', reason: 'closed by the page' }, { kind: 'closed', reason: 'closed by the page' }],
    [
      { state: 'closed', reason: 'refused', error: new ClientError(ClientErrorCode.unauthorized, 'no token') },
      { kind: 'unauthorized', reason: 'the gateway refused the token' },
    ],
  ] as const)('%j', (status, expected) => {
    expect(fromClientStatus(status, 1_000_000)).toEqual(expected);
  });
});
