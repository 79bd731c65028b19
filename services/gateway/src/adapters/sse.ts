/**
 * `GET /api/v1/events`: the websocket's channels over Server-Sent Events, for clients without
 * a websocket library (curl, EventSource, a few lines of any language). An SSE client is a
 * Connection like a websocket one (same hub subscriptions, same shared frames, same bounded
 * outbound buffer and slow-consumer close, same connection caps); only the socket differs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@rotation/log';
import { CloseCode, type Channel } from '@rotation/schemas';
import type { AuthDecision } from '../core/auth.js';
import { channelAllowed, isAlertChannel } from '../core/channels.js';
import type { ConnectionCaps } from '../core/connection-caps.js';
import { advances, formatEventId, parseStreamRequest, type StreamResume } from '../core/event-stream.js';
import { alertPosition, isPositionMark, positionMark } from '../core/frames.js';
import { NOSNIFF } from '../core/http-policy.js';
import type { CommandLimiterOptions } from '../core/rate-limit.js';
import { Connection, type FrameSocket } from './connection.js';
import type { Hub } from './hub.js';
import type { Metrics } from './metrics.js';
import type { Reply } from './json-body.js';

/** Written in place of a heartbeat frame: a comment, which EventSource ignores and proxies see as traffic. */
export const SSE_HEARTBEAT = Buffer.from(': heartbeat\n\n');
/** How long EventSource waits before reconnecting after the stream ends (ms, the `retry:` field). */
export const SSE_RETRY_MS = 2_000;

const OPEN = 1;
const CLOSED = 3;

/**
 * An SSE response as a FrameSocket: each frame becomes `data: <frame>\n\n` (the JSON has no
 * newline), and an alert-channel frame that moves the position on gets `id: <epoch>:<seq>`.
 * While a resume catches up (replays of several channels interleave with live frames) ids are
 * held back: a reconnect then starts again from the resume position, never past an alert a
 * channel has not had yet. A position mark (queued after the replays, and with heartbeats)
 * writes the position every channel has reached as a bare `id:`, which sets EventSource's last
 * event id and dispatches nothing: a subject-scoped stream whose subject is quiet still moves
 * on, so its reconnect does not replay (or resync over) everything since its last alert.
 */
export class SseSocket implements FrameSocket {
  readonly CLOSED = CLOSED;
  readyState = OPEN;
  #catchingUp: boolean;
  #last: StreamResume | undefined;
  #closeListeners: Array<() => void> = [];

  constructor(
    private readonly res: ServerResponse,
    resume: StreamResume | undefined,
  ) {
    this.#catchingUp = resume !== undefined;
    this.#last = resume;
    res.once('close', () => {
      this.readyState = CLOSED;
      for (const l of this.#closeListeners.splice(0)) l();
    });
  }

  get bufferedAmount(): number {
    return this.res.writableLength;
  }

  send(buf: Buffer, _options: { binary: boolean }, cb: (err?: Error | null) => void): void {
    if (this.readyState !== OPEN) return cb(new Error('stream closed'));
    if (buf === SSE_HEARTBEAT) return void this.res.write(buf, cb);
    const position = alertPosition(buf);
    if (isPositionMark(buf)) {
      this.#catchingUp = false;
      if (!position || !advances(this.#last, position)) return cb();
      this.#last = position;
      return void this.res.write(`id: ${formatEventId(position)}\n\n`, cb);
    }
    let head = 'data: ';
    // #last is the last id written (the resume position at first): a catch-up writes none.
    if (position && !this.#catchingUp && advances(this.#last, position)) {
      this.#last = position;
      head = `id: ${formatEventId(position)}\ndata: `;
    }
    // One write per frame: the frame's Buffer is the hub's shared one, not a copy per client.
    this.res.cork();
    this.res.write(head);
    this.res.write(buf);
    this.res.write('\n\n', cb);
    process.nextTick(() => this.res.uncork());
  }

  /** Ends the stream; EventSource reconnects after `retry` with its last event id. */
  close(code: number, reason: string): void {
    if (this.readyState !== OPEN) return;
    this.readyState = 2;
    this.res.end(`: closed ${code} ${reason.replace(/[\r\n]/g, ' ')}\n\n`);
  }

  terminate(): void {
    this.res.destroy();
  }

  /** SSE has no pong: liveness is the TCP connection and the outbound buffer. */
  ping(): void {}

  once(_event: 'close', listener: () => void): this {
    if (this.readyState === CLOSED) listener();
    else this.#closeListeners.push(listener);
    return this;
  }
}

export function isEventStream(socket: FrameSocket): socket is SseSocket {
  return socket instanceof SseSocket;
}

/**
 * Queues the stream's position (the hub's head) when every alert channel of it is live: at
 * this point in its queue each has been given every alert up to the head. Not while one still
 * replays or waits (its cursor holds its live frames then).
 */
export function queuePosition(conn: Connection, hub: Hub): void {
  for (const [channel, cursor] of conn.subs) if (isAlertChannel(channel) && cursor.holding) return;
  conn.send(positionMark(hub.epoch, hub.alerts.head));
}

export interface EventStreamOptions {
  hub: Hub;
  caps: ConnectionCaps;
  metrics: Metrics;
  logger: Logger;
  maxConnections: number;
  maxSubscriptions: number;
  maxBufferBytes: number;
  highWaterBytes: number;
  limiter: CommandLimiterOptions;
  stopping: () => boolean;
  /** Closes the connection when its JWT expires (the server's, shared with websockets). */
  watchExpiry: (conn: Connection, expiresAt: number) => { timer: NodeJS.Timeout | undefined };
}


/** Opens an event stream for an authorised request, or answers why not. */
export function openEventStream(o: EventStreamOptions, req: IncomingMessage, res: ServerResponse, params: URLSearchParams, decision: Extract<AuthDecision, { ok: true }>, reply: Reply, headers: Record<string, string> = {}): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
  const lastEventId = req.headers['last-event-id'];
  const parsed = parseStreamRequest(params, typeof lastEventId === 'string' ? lastEventId : undefined, o.maxSubscriptions);
  if (!parsed.ok) return reply(400, { error: parsed.error });
  const viewer = { owner: decision.subject, admin: decision.admin };
  const forbidden = parsed.channels.filter((ch) => !channelAllowed(ch, viewer));
  if (forbidden.length > 0) return reply(403, { error: `only admins may subscribe to ${forbidden.join(', ')}` });
  if (o.stopping()) return reply(503, { error: 'shutting down' }, { 'retry-after': '1' });
  if (o.hub.connections.size >= o.maxConnections) return reply(503, { error: 'too many connections' }, { 'retry-after': '5' });
  // Counted with the websockets: one token holds at most its cap of streams and sockets together.
  const slot = o.caps.tryAcquire(decision.method === 'none' ? undefined : decision.subject, req.socket.remoteAddress);
  if (!slot.ok) {
    o.metrics.capRefusals.inc({ limit: slot.limit });
    return reply(429, { error: `too many connections for this ${slot.limit === 'token' ? 'token' : 'address'} (at most ${slot.max})` }, { 'retry-after': '5' });
  }
  res.once('close', slot.release);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    // Reverse proxies (nginx) buffer responses unless told not to; a stream must flow.
    'x-accel-buffering': 'no',
    ...NOSNIFF,
    ...headers,
  });
  if (req.method === 'HEAD') return void res.end();
  res.write(`retry: ${SSE_RETRY_MS}\n\n`);
  res.socket?.setNoDelay(true);
  attach(o, res, parsed.channels, parsed.resume, decision);
}

function attach(o: EventStreamOptions, res: ServerResponse, channels: Channel[], resume: StreamResume | undefined, decision: Extract<AuthDecision, { ok: true }>): void {
  const socket = new SseSocket(res, resume);
  const conn = new Connection(socket, decision.subject, {
    maxBufferBytes: o.maxBufferBytes,
    highWaterBytes: o.highWaterBytes,
    limiter: o.limiter,
    metrics: o.metrics,
    logger: o.logger,
  });
  conn.admin = decision.admin;
  const expiry = decision.expiresAt === undefined ? undefined : o.watchExpiry(conn, decision.expiresAt);
  socket.once('close', () => {
    clearTimeout(expiry?.timer);
    o.hub.detach(conn);
    o.logger.debug({ conn: conn.id }, 'event stream closed');
  });
  o.hub.attach(conn);
  o.hub.subscribeStream(conn, channels, resume);
  if (!resume) return;
  const alertChannels = channels.filter(isAlertChannel);
  conn.replays = conn.replays.then(() => {
    // A replay that could not read history dropped its channel: the stream ends, and the
    // client's reconnect (same Last-Event-ID, ids were held back) tries again.
    if (alertChannels.some((ch) => !conn.subs.has(ch))) return conn.close(CloseCode.goingAway, 'history unavailable; reconnect');
    queuePosition(conn, o.hub);
  });
  o.logger.debug({ conn: conn.id, subject: decision.subject, channels }, 'event stream opened');
}
