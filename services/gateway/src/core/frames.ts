import { PROTOCOL_VERSION, type Alert, type Channel, type ServerMessage, type WsErrorCode } from '@rotation/schemas';

/**
 * Server messages are encoded here and nowhere else, once per message: the resulting Buffer
 * is what every subscriber's socket gets.
 */
export function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

export const frames = {
  welcome: (o: { heartbeatMs: number; epoch: string; instance: string; now: Date }) =>
    encode({ type: 'welcome', version: PROTOCOL_VERSION, serverTime: o.now.toISOString(), heartbeatMs: o.heartbeatMs, epoch: o.epoch, instance: o.instance }),
  subscribed: (id: string, channels: Channel[]) => encode({ type: 'subscribed', id, channels }),
  unsubscribed: (id: string, channels: Channel[]) => encode({ type: 'unsubscribed', id, channels }),
  error: (e: { id?: string | undefined; code: WsErrorCode; message: string; retryable: boolean }) =>
    encode({ type: 'error', ...(e.id ? { id: e.id } : {}), code: e.code, message: e.message, retryable: e.retryable }),
  heartbeat: (now: Date) => encode({ type: 'heartbeat', serverTime: now.toISOString() }),
  pong: (id: string, now: Date) => encode({ type: 'pong', id, serverTime: now.toISOString() }),
  shutdown: (reconnectAfterMs: number) => encode({ type: 'shutdown', reconnectAfterMs }),
  alertEvent: (channel: Channel, epoch: string, alert: Alert & { seq: number }, prevSeq: number) =>
    encode({ type: 'event', channel, epoch, seq: alert.seq, prevSeq, data: alert }),
};
