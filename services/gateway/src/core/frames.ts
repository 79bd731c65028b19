import { PROTOCOL_VERSION, type Alert, type AlertChannel, type Channel, type ServerMessage, type WsErrorCode } from '@rotation/schemas';

/**
 * Server messages are encoded here and nowhere else, once per message: the resulting Buffer
 * is what every subscriber's socket gets.
 */
export function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

/** A state frame without its `data` (the schema types each channel's data; the board holds it as JSON). */
export interface StateFrameHead {
  type: 'snapshot' | 'event';
  channel: Channel;
  epoch: string;
  seq: number;
  prevSeq?: number;
  asOf: string | null;
}

/**
 * A state frame whose `data` is already JSON: a state value is serialised once to find out
 * whether it changed, and that text becomes the frame, not a second stringify of the same value.
 */
export function encodeState(head: StateFrameHead, dataJson: string): Buffer {
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"data":${dataJson}}`, 'utf8');
}

/** Where an alert-channel frame leaves its reader: everything on that channel up to `seq`, in `epoch`. */
export interface AlertPosition {
  epoch: string;
  seq: number;
}

/**
 * The alert position of each alert-channel frame (event, snapshot, resync), kept beside the
 * shared Buffer rather than in a wrapper: the outbound path carries bare Buffers, and a
 * transport that needs the position (SSE's `id:`) looks it up instead of parsing the JSON.
 */
const positions = new WeakMap<Buffer, AlertPosition>();

export function alertPosition(buf: Buffer): AlertPosition | undefined {
  return positions.get(buf);
}

const marks = new WeakSet<Buffer>();

/**
 * A position with no message: queued on an event stream (in order with its frames) once every
 * alert channel of it has had everything up to `seq`; written as a bare `id:` line.
 */
export function positionMark(epoch: string, seq: number): Buffer {
  const buf = positioned(Buffer.from(':'), epoch, seq);
  marks.add(buf);
  return buf;
}

export function isPositionMark(buf: Buffer): boolean {
  return marks.has(buf);
}

function positioned(buf: Buffer, epoch: string, seq: number): Buffer {
  positions.set(buf, { epoch, seq });
  return buf;
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
  alertEvent: (channel: AlertChannel, epoch: string, alert: Alert & { seq: number }, prevSeq: number) =>
    positioned(encode({ type: 'event', channel, epoch, seq: alert.seq, prevSeq, data: alert }), epoch, alert.seq),
  /** The recent alerts of an alert channel and its position (`head`), sent on subscribing. */
  alertSnapshot: (channel: AlertChannel, epoch: string, head: number, data: Alert[]) => positioned(encode({ type: 'snapshot', channel, epoch, seq: head, data }), epoch, head),
  alertResync: (channel: AlertChannel, epoch: string, head: number, reason: string, data: Alert[]) =>
    positioned(encode({ type: 'resync', channel, epoch, seq: head, reason, data }), epoch, head),
};
