import type { Logger } from '@rotation/log';
import { CloseCode, type Channel } from '@rotation/schemas';
import type { ChannelCursor } from '../core/channel-cursor.js';
import type { Viewer } from '../core/channels.js';
import { OutboundBuffer } from '../core/outbound-buffer.js';
import { CommandLimiter, type CommandLimiterOptions } from '../core/rate-limit.js';
import type { Metrics } from './metrics.js';

/**
 * What a connection writes to: a websocket (`ws`'s WebSocket fits as it is) or an SSE
 * response (sse.ts). Frames arrive as the hub's shared Buffers; the socket frames them.
 */
export interface FrameSocket {
  readonly readyState: number;
  readonly CLOSED: number;
  /** Bytes written and not yet flushed to the kernel. */
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean }, cb: (err?: Error | null) => void): void;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** What a replay waiting for room learns: go on, or stop (closed, or closed now as a slow consumer). */
export type RoomVerdict = 'room' | 'closed';

export interface ConnectionOptions {
  maxBufferBytes: number;
  highWaterBytes: number;
  limiter: CommandLimiterOptions;
  metrics: Metrics;
  logger: Logger;
}

let nextId = 1;

/**
 * One client (websocket or SSE): its subscriptions, its outbound buffer and its rate limiter. Frames
 * arrive already encoded (shared with every other subscriber); this class only decides
 * whether, when and in what order they go out, so one slow socket never holds up the rest.
 */
export class Connection {
  readonly id = nextId++;
  /** Each subscribed channel's cursor: where live frames start for this client. */
  readonly subs = new Map<Channel, ChannelCursor>();
  readonly limiter: CommandLimiter;
  alive = true;
  /** An admin sees every owner's rule alerts (`alerts:rules`). */
  admin = false;
  #closed = false;
  readonly #out: OutboundBuffer;
  readonly #maxBytes: number;
  /** Replays of this connection run one at a time (issue #19: one client, one history read in flight). */
  replays: Promise<void> = Promise.resolve();
  /** When the socket last flushed something, or the buffer last went from empty to non-empty. */
  #lastProgress = Date.now();
  #roomWaiters = new Set<() => void>();

  constructor(
    readonly ws: FrameSocket,
    readonly subject: string,
    private readonly options: ConnectionOptions,
  ) {
    this.#out = new OutboundBuffer({ maxBytes: options.maxBufferBytes, highWaterBytes: options.highWaterBytes });
    this.#maxBytes = options.maxBufferBytes;
    this.limiter = new CommandLimiter(options.limiter, Date.now());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Who is looking, for what this connection may see of the alert channels. */
  get viewer(): Viewer {
    return { owner: this.subject, admin: this.admin };
  }

  /** The most replay bytes queued in one step: what `waitForRoom` leaves free. */
  get replayChunkBytes(): number {
    return Math.floor(this.#maxBytes / 2);
  }

  get bufferedBytes(): number {
    return this.#out.bufferedBytes;
  }

  /** An ordered frame (ack, error, alert). Overflow closes the connection as a slow consumer. */
  send(buf: Buffer): void {
    if (this.#closed) return;
    if (this.#out.bufferedBytes === 0) this.#lastProgress = Date.now();
    if (this.#out.enqueue(buf) === 'overflow' || this.ws.bufferedAmount > this.#maxBytes) {
      this.closeSlow();
      return;
    }
    this.#pump();
  }

  /**
   * A latest-value frame (a state channel, or the heartbeat): replaces the waiting frame with
   * the same key if the client is behind.
   */
  sendState(key: Channel | 'heartbeat', buf: Buffer): void {
    if (this.#closed) return;
    if (this.#out.enqueue(buf, key) === 'coalesced') this.options.metrics.coalesced.inc();
    this.#pump();
  }

  /** One page of replayed history for `channel`, in order; counted against the buffer like any alert. */
  sendBacklog(bufs: readonly Buffer[], channel: Channel): void {
    if (this.#closed) return;
    if (this.#out.bufferedBytes === 0) this.#lastProgress = Date.now();
    if (this.#out.enqueueBacklog(bufs, channel) === 'overflow') {
      this.closeSlow();
      return;
    }
    this.#pump();
  }

  /** Forgets the replay still queued for `channel` (unsubscribed, or its resume superseded). */
  dropReplay(channel: Channel): void {
    this.#out.dropChannel(channel);
    this.#wakeRoomWaiters();
  }

  /**
   * Resolves once the buffer is below half its budget, so the next replay page fits. A socket
   * that has flushed nothing for `stallMs` while a replay waits is closed as a slow consumer
   * (4008; the client resumes): without that, a client that never reads would hold its replay
   * (and its slot) for ever. Progress is per connection, not per wait, so re-subscribing does
   * not restart the clock.
   */
  waitForRoom(stallMs: number): Promise<RoomVerdict> {
    if (this.#closed) return Promise.resolve('closed');
    if (this.#out.hasRoom) return Promise.resolve('room');
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#closed) return finish('closed');
        if (this.#out.hasRoom) return finish('room');
        if (Date.now() - this.#lastProgress >= stallMs) {
          this.closeSlow();
          return finish('closed');
        }
      };
      const timer = setInterval(check, Math.max(10, Math.min(250, stallMs / 4)));
      const finish = (v: RoomVerdict): void => {
        clearInterval(timer);
        this.#roomWaiters.delete(check);
        resolve(v);
      };
      this.#roomWaiters.add(check);
      check();
    });
  }

  #wakeRoomWaiters(): void {
    for (const w of [...this.#roomWaiters]) w();
  }

  /** Fan-out entry point: one shared frame for `channel` at `seq`. */
  deliver(channel: Channel, seq: number, buf: Buffer, state: boolean): void {
    if (!this.subs.get(channel)?.admit(seq, buf)) return;
    if (state) this.sendState(channel, buf);
    else this.send(buf);
  }

  /** Everything on the cursor's channel up to `minSeq` has been sent: what it held past that follows. */
  goLive(cursor: ChannelCursor, minSeq: number): void {
    for (const buf of cursor.goLive(minSeq)) this.send(buf);
  }

  dropState(channel: Channel): void {
    this.#out.drop(channel);
  }

  closeSlow(): void {
    if (this.#closed) return;
    this.options.metrics.slowDisconnects.inc();
    this.options.metrics.dropped.inc(this.#out.pending);
    this.options.logger.info({ conn: this.id, bufferedBytes: this.#out.bufferedBytes }, 'slow consumer disconnected');
    this.close(CloseCode.slowConsumer, 'slow consumer: resume from your last seq');
  }

  /**
   * Closes with a code. What is still waiting here is dropped (the client will resume); the
   * close frame goes after what the socket already holds, and ws destroys the socket if the
   * peer never answers it.
   */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.clear();
    this.#wakeRoomWaiters();
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  /** The socket is gone; forget everything. */
  markClosed(): void {
    this.#closed = true;
    this.#out.clear();
    this.#wakeRoomWaiters();
  }

  #pump(): void {
    for (let buf = this.#out.take(); buf; buf = this.#out.take()) {
      const bytes = buf.byteLength;
      this.options.metrics.messagesOut.inc();
      this.options.metrics.bytesOut.inc(bytes);
      this.ws.send(buf, { binary: false }, (err) => {
        this.#out.written(bytes);
        this.#lastProgress = Date.now();
        if (this.#roomWaiters.size > 0) this.#wakeRoomWaiters();
        if (!err && !this.#closed) this.#pump();
      });
    }
  }
}
