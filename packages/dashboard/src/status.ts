/**
 * What the connection badge says, from the client's status. Kept apart from the DOM so the
 * wording of every state is tested.
 */
import type { ClientStatus } from '@rotation/client';

export type ConnectionStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'live'; instance: string; epoch: string }
  | { kind: 'reconnecting'; attempt: number; atMs: number; reason: string }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'closed'; reason: string };

export function fromClientStatus(s: ClientStatus, nowMs: number): ConnectionStatus {
  switch (s.state) {
    case 'idle':
      return { kind: 'connecting', attempt: 0 };
    case 'connecting':
      return { kind: 'connecting', attempt: s.attempt };
    case 'open':
      return { kind: 'live', instance: s.instance, epoch: s.epoch };
    case 'reconnecting':
      return { kind: 'reconnecting', attempt: s.attempt, atMs: nowMs + s.delayMs, reason: s.reason };
    case 'closed':
      return s.error?.code === 'CLIENT_UNAUTHORIZED' ? { kind: 'unauthorized', reason: 'the gateway refused the token' } : { kind: 'closed', reason: s.reason };
  }
}
