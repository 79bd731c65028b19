import type { WebSocket } from 'ws';
import type { Logger } from '@rotation/log';
import { CloseCode, type Channel } from '@rotation/schemas';
import { OutboundBuffer } from '../core/outbound-buffer.js';
import { CommandLimiter, type CommandLimiterOptions } from '../core/rate-limit.js';
import type { Metrics } from './metrics.js';

export interface ChannelState {
  /** Live frames at or below this seq are not delivered (already sent by snapshot or replay). */
  minSeq: number;
  /** While a resume reads history, live frames wait here and are merged afterwards. */
  pending?: Array<{ seq: number; buf: Buffer }>;
}

export interface ConnectionOptions {
  maxBufferBytes: number;
  highWaterBytes: number;
  limiter: CommandLimiterOptions;
  metrics: Metrics;
  logger: Logger;
}

let nextId = 1;

/**
 * One websocket client: its subscriptions, its outbound buffer and its rate limiter. Frames
 * arrive already encoded (shared with every other subscriber); this class only decides
 * whether, when and in what order they go out, so one slow socket never holds up the rest.
 */
export class Connection {
  readonly id = nextId++;
  readonly subs = new Map<Channel, ChannelState>();
  readonly limiter: CommandLimiter;
  alive = true;
  #closed = false;
  readonly #out: OutboundBuffer;
  readonly #maxBytes: number;

  constructor(
    readonly ws: WebSocket,
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

  get bufferedBytes(): number {
    return this.#out.bufferedBytes;
  }

  /** An ordered frame (ack, error, alert). Overflow closes the connection as a slow consumer. */
  send(buf: Buffer): void {
    if (this.#closed) return;
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

  /** Replayed history, sent in order before anything queued later. */
  sendBacklog(bufs: readonly Buffer[]): void {
    if (this.#closed) return;
    this.#out.enqueueBacklog(bufs);
    this.#pump();
  }

  /** Fan-out entry point: one shared frame for `channel` at `seq`. */
  deliver(channel: Channel, seq: number, buf: Buffer, state: boolean): void {
    const sub = this.subs.get(channel);
    if (!sub) return;
    if (sub.pending) {
      sub.pending.push({ seq, buf });
      return;
    }
    if (seq <= sub.minSeq) return;
    sub.minSeq = seq;
    if (state) this.sendState(channel, buf);
    else this.send(buf);
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
  }

  #pump(): void {
    for (let buf = this.#out.take(); buf; buf = this.#out.take()) {
      const bytes = buf.byteLength;
      this.options.metrics.messagesOut.inc();
      this.options.metrics.bytesOut.inc(bytes);
      this.ws.send(buf, { binary: false }, (err) => {
        this.#out.written(bytes);
        if (!err && !this.#closed) this.#pump();
      });
    }
  }
}
