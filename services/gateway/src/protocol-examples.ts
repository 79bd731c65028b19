import type { ClientCommand, ServerMessage } from '@rotation/schemas';

/**
 * One example of every message of protocol v1. The AsyncAPI export embeds them, and a unit
 * test validates each against the zod schemas, so documentation examples cannot drift.
 */
const alert = {
  id: 'a_size_regime_change_IWM-SPY_7d_20240308T2100',
  kind: 'size_regime_change',
  severity: 'warning',
  subject: 'IWM/SPY',
  window: '7d',
  eventTime: '2024-03-08T21:00:00.000Z',
  message: 'Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp)',
  metrics: { smallReturnPct: 3.25, largeReturnPct: -0.72, spreadPp: 3.97 },
  seq: 42,
} as const;

const spreads = [
  { pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '7d', smallReturnPct: 3.25, largeReturnPct: -0.72, spreadPp: 3.97, ratio: 103.1, zScore: 2.1 },
];

export const clientExamples: Record<ClientCommand['op'], ClientCommand> = {
  subscribe: { op: 'subscribe', id: 'r1', channels: ['alerts', 'spreads', 'sectors'], resume: { alerts: 41 }, epoch: 'e-2024-03-01' },
  unsubscribe: { op: 'unsubscribe', id: 'r2', channels: ['sectors'] },
  ping: { op: 'ping', id: 'r3' },
};

export const serverExamples: Record<ServerMessage['type'], ServerMessage> = {
  welcome: { type: 'welcome', version: 1, serverTime: '2024-03-08T21:00:00.120Z', heartbeatMs: 15000, epoch: 'e-2024-03-01', instance: 'gw-1' },
  subscribed: { type: 'subscribed', id: 'r1', channels: ['alerts', 'spreads', 'sectors'] },
  unsubscribed: { type: 'unsubscribed', id: 'r2', channels: ['sectors'] },
  snapshot: { type: 'snapshot', channel: 'spreads', epoch: 'e-2024-03-01', seq: 812, asOf: '2024-03-08T21:00:00.000Z', data: spreads },
  event: { type: 'event', channel: 'alerts', epoch: 'e-2024-03-01', seq: 42, prevSeq: 41, data: alert },
  resync: { type: 'resync', channel: 'alerts', epoch: 'e-2024-03-01', seq: 42, reason: 'history_trimmed', data: [alert] },
  error: { type: 'error', id: 'r9', code: 'unknown_channel', message: 'unknown channel(s): "alerts:everything"', retryable: false },
  heartbeat: { type: 'heartbeat', serverTime: '2024-03-08T21:00:15.120Z' },
  pong: { type: 'pong', id: 'r3', serverTime: '2024-03-08T21:00:01.004Z' },
  shutdown: { type: 'shutdown', reconnectAfterMs: 0 },
};
