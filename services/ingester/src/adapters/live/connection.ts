/**
 * One reconnecting websocket for any provider: connect, hand frames to the provider session,
 * apply its effects in order, feed the sink with backpressure, watch for silence, reconnect
 * with backoff, and stop cleanly. Provider knowledge lives in the sessions, not here.
 */
import WebSocket from 'ws';
import { redactUrl, type Logger } from '@rotation/log';
import type { DeadLetterOrigin } from '@rotation/schemas';
import type { QuoteSink } from '../../core/source.js';
import { Backoff, type BackoffPolicy } from './backoff.js';
import { LiveErrorCode, LiveSourceError } from '../../core/errors.js';
import type { ProviderSession, ProviderSpec, SessionEffect } from './session.js';
import { IdleWatchdog } from './watchdog.js';

/** What a live source tells about its connection, beside the data. */
export interface LiveListener {
  /** A connection's subscription was acknowledged: from now on every trade comes through the stream. */
  subscribed?(connection: number): void;
  /** A connection was lost and a new one will be tried: trades may be missed until the next subscription. */
  disconnected?(connection: number): void;
}

export interface LiveSource {
  /** Runs until stop() (resolves) or a fatal error such as rejected credentials (rejects). */
  start(sink: QuoteSink, listener?: LiveListener): Promise<void>;
  /** Closes the socket, cancels timers, delivers frames already received; start() then resolves. */
  stop(): Promise<void>;
  /** The feed's connection as metrics and /readyz see it. */
  status(): FeedStatus;
}

export interface FeedStatus {
  /** Subscribed on an open connection: data can arrive. */
  connected: boolean;
  /** Connections opened after the first (each one follows a drop, a refusal or a stall). */
  reconnects: number;
  /** Epoch ms of the last message received, null before the first. */
  lastMessageAt: number | null;
}

export interface ConnectionSettings {
  backoff: BackoffPolicy;
  limitBackoff: BackoffPolicy;
  watchdog: { idleMs: number; pingIntervalMs: number };
  /** A connection counts as healthy (backoff starts over) after data, or after this long subscribed. */
  stableAfterMs: number;
  maxPayloadBytes: number;
  handshakeTimeoutMs: number;
  /** How long a clean close may take before the socket is destroyed. */
  closeTimeoutMs: number;
  random: () => number;
}

interface Conn {
  id: number;
  ws: WebSocket;
  session: ProviderSession;
  watchdog: IdleWatchdog;
  subscribedAt?: number;
  gotData: boolean;
  limited: boolean;
  closeTimer?: ReturnType<typeof setTimeout>;
}

interface Frame {
  conn: Conn;
  text: string;
  receivedAt: number;
}

/** Frames buffered before the socket is paused; the sink's pace then throttles the provider. */
const PAUSE_AT = 16;

export class ReconnectingSource implements LiveSource {
  readonly #spec: ProviderSpec;
  readonly #cfg: ConnectionSettings;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #limitBackoff: Backoff;
  #sink: QuoteSink | undefined;
  #listener: LiveListener | undefined;
  #conn: Conn | undefined;
  #connections = 0;
  #subscribed = false;
  #lastMessageAt: number | null = null;
  #frames = 0;
  #queue: Frame[] = [];
  #pumping = false;
  #stopping = false;
  #fatal: LiveSourceError | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #done: Promise<void> | undefined;
  #settle: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(spec: ProviderSpec, cfg: ConnectionSettings, logger: Logger) {
    this.#spec = spec;
    this.#cfg = cfg;
    this.#log = logger.child({ provider: spec.provider });
    this.#backoff = new Backoff(cfg.backoff, cfg.random);
    this.#limitBackoff = new Backoff(cfg.limitBackoff, cfg.random);
  }

  start(sink: QuoteSink, listener?: LiveListener): Promise<void> {
    if (this.#done) return Promise.reject(new LiveSourceError(LiveErrorCode.alreadyStarted, `${this.#spec.provider} live source already started`));
    this.#sink = sink;
    this.#listener = listener;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    if (this.#stopping) this.#maybeSettle();
    else this.#connect();
    return this.#done;
  }

  status(): FeedStatus {
    return { connected: this.#subscribed, reconnects: Math.max(0, this.#connections - 1), lastMessageAt: this.#lastMessageAt };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (!this.#done) return;
    this.#clearReconnect();
    if (this.#conn) this.#close(this.#conn, 1000, 'client stopping');
    this.#maybeSettle();
    await this.#done.catch(() => undefined);
  }

  #connect(): void {
    const id = ++this.#connections;
    const ws = new WebSocket(this.#spec.url, {
      maxPayload: this.#cfg.maxPayloadBytes,
      handshakeTimeout: this.#cfg.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    const watchdog = new IdleWatchdog({
      idleMs: this.#cfg.watchdog.idleMs,
      pingIntervalMs: this.#spec.transportHeartbeat ? this.#cfg.watchdog.pingIntervalMs : undefined,
      isBusy: () => this.#pumping,
      onPing: () => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      },
      onIdle: () => {
        this.#log.warn({ connection: id, idleMs: this.#cfg.watchdog.idleMs }, 'no data or heartbeat within the idle limit; dropping the connection');
        ws.terminate();
      },
    });
    const conn: Conn = { id, ws, session: this.#spec.newSession(), watchdog, gotData: false, limited: false };
    this.#conn = conn;
    this.#log.info({ connection: id, url: redactUrl(this.#spec.url) }, 'connecting');

    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) {
        this.#setFatal(LiveErrorCode.authFailed, `${this.#spec.provider} refused the websocket handshake with HTTP ${status}: ${credentialHint(this.#spec.provider)}`);
      } else if (status === 429) {
        conn.limited = true;
        this.#log.warn({ connection: id, status }, 'handshake refused: too many connections');
      } else {
        this.#log.warn({ connection: id, status }, 'handshake refused');
      }
      ws.terminate();
    });
    ws.on('open', () => {
      this.#log.info({ connection: id }, 'connected');
      watchdog.start();
      void this.#apply(conn, conn.session.onOpen(), { provider: this.#spec.provider }).catch((e: unknown) => this.#sinkFailed(e));
    });
    ws.on('message', (data: WebSocket.RawData) => {
      watchdog.touch();
      this.#lastMessageAt = Date.now();
      if (this.#fatal) return;
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      this.#queue.push({ conn, text, receivedAt: Date.now() });
      if (this.#queue.length >= PAUSE_AT) ws.pause();
      if (!this.#pumping) void this.#pump();
    });
    ws.on('ping', () => {
      if (this.#spec.transportHeartbeat) watchdog.touch();
    });
    ws.on('pong', () => {
      if (this.#spec.transportHeartbeat) watchdog.touch();
    });
    ws.on('error', (err) => {
      this.#log.warn({ connection: id, err: err.message }, 'websocket error');
    });
    ws.on('close', (code, reason) => this.#onClose(conn, code, reason.toString('utf8')));
  }

  #onClose(conn: Conn, code: number, reason: string): void {
    conn.watchdog.stop();
    if (conn.closeTimer) clearTimeout(conn.closeTimer);
    this.#log.info({ connection: conn.id, code, reason: reason.slice(0, 200) }, 'disconnected');
    // Connections never overlap (the next starts after this event), but a late event must not schedule a second loop.
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    this.#subscribed = false;
    if (this.#stopping || this.#fatal) {
      this.#maybeSettle();
      return;
    }
    const subscribedFor = conn.subscribedAt === undefined ? -1 : performance.now() - conn.subscribedAt;
    const healthy = subscribedFor >= 0 && (conn.gotData || subscribedFor >= this.#cfg.stableAfterMs);
    if (healthy && !conn.limited) {
      this.#backoff.reset();
      this.#limitBackoff.reset();
    }
    this.#listener?.disconnected?.(conn.id);
    const delayMs = conn.limited ? this.#limitBackoff.next() : this.#backoff.next();
    this.#log.warn({ connection: conn.id, delayMs, connectionLimit: conn.limited }, 'reconnecting after a delay');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#stopping && !this.#fatal) this.#connect();
    }, delayMs);
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.#fatal) {
        const frame = this.#queue.shift()!;
        const origin: DeadLetterOrigin = { provider: this.#spec.provider, frame: ++this.#frames };
        await this.#apply(frame.conn, frame.conn.session.onFrame(frame.text, frame.receivedAt), origin);
        if (this.#queue.length < PAUSE_AT / 2) this.#conn?.ws.resume();
      }
    } catch (e) {
      this.#sinkFailed(e);
    } finally {
      this.#pumping = false;
      if (this.#fatal) this.#queue = [];
      this.#conn?.ws.resume();
      this.#maybeSettle();
    }
  }

  async #apply(conn: Conn, effects: SessionEffect[], origin: DeadLetterOrigin): Promise<void> {
    const sink = this.#sink!;
    const source = this.#spec.provider;
    for (const e of effects) {
      if (this.#fatal) return;
      switch (e.kind) {
        case 'quote':
          conn.gotData = true;
          await sink.quote(e.raw, origin, e.rawText, source);
          break;
        case 'event':
          conn.gotData = true;
          await sink.event(e.raw, origin, e.rawText, source);
          break;
        case 'reject':
          await sink.reject(e.reason, e.message, origin, e.rawText, source);
          break;
        case 'send':
          if (conn.ws.readyState === WebSocket.OPEN) {
            conn.ws.send(e.text);
            this.#log.debug({ connection: conn.id, what: e.what }, 'sent');
          }
          break;
        case 'subscribed':
          if (conn.subscribedAt === undefined) this.#listener?.subscribed?.(conn.id);
          conn.subscribedAt ??= performance.now();
          if (this.#conn === conn) this.#subscribed = true;
          this.#log.info({ connection: conn.id, ...e.detail }, 'subscribed');
          break;
        case 'fatal':
          this.#setFatal(e.code, e.message);
          return;
        case 'reconnect':
          if (e.why === 'connection_limit') conn.limited = true;
          this.#log.warn({ connection: conn.id, why: e.why }, e.message);
          this.#close(conn, 1000, 'reconnecting');
          break;
        case 'log':
          this.#log[e.level]({ connection: conn.id, ...e.fields }, e.message);
          break;
      }
    }
  }

  #close(conn: Conn, code: number, reason: string): void {
    const ws = conn.ws;
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
      return;
    }
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.close(code, reason);
    conn.closeTimer = setTimeout(() => ws.terminate(), this.#cfg.closeTimeoutMs);
  }

  #setFatal(code: LiveErrorCode, message: string, cause?: unknown): void {
    if (this.#fatal) return;
    this.#fatal = new LiveSourceError(code, message, { provider: this.#spec.provider }, cause === undefined ? undefined : { cause });
    this.#log.error({ code }, message);
    this.#clearReconnect();
    if (this.#conn) this.#close(this.#conn, 1000, 'fatal error');
    this.#maybeSettle();
  }

  #sinkFailed(e: unknown): void {
    this.#setFatal(LiveErrorCode.sinkFailed, `${this.#spec.provider}: the quote sink failed: ${(e as Error)?.message ?? String(e)}`, e);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  #maybeSettle(): void {
    if (!this.#settle || this.#conn || this.#pumping) return;
    if (!this.#stopping && !this.#fatal) return;
    this.#clearReconnect();
    const settle = this.#settle;
    this.#settle = undefined;
    if (this.#fatal) settle.reject(this.#fatal);
    else {
      this.#log.info({ frames: this.#frames, connections: this.#connections }, 'stopped');
      settle.resolve();
    }
  }
}

function credentialHint(provider: string): string {
  switch (provider) {
    case 'alpaca':
      return 'check ALPACA_KEY_ID and ALPACA_SECRET_KEY';
    case 'polygon':
      return 'check POLYGON_API_KEY';
    default:
      return 'check FINNHUB_TOKEN';
  }
}
