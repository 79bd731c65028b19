import { CloseCode, type Alert, type Channel, type ClientCommand, type ServerMessage, type StateChannel } from '@rotation/schemas';
import { backoffDelay, DEFAULT_BACKOFF, validateBackoff, type BackoffOptions } from './backoff.js';
import { isAlertChannel, isStateChannel } from './channels.js';
import { judgeEvent, planSubscribe, type Cursor } from './cursors.js';
import { TypedEmitter, type Listener } from './emitter.js';
import { ClientError, ClientErrorCode } from './errors.js';
import { decodeFrame, DEFAULT_MAX_FRAME_CHARS, type StateValues } from './frames.js';
import { mergeState } from './merge.js';
import { connectUrl, describeSocketError, httpStatusOf, resolveWebSocket, type ResolvedSocket, type WebSocketConstructor, type WebSocketLike } from './socket.js';

/** Timers and clock, injectable so reconnect and heartbeat logic is testable without waiting. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface ClientOptions {
  /** e.g. ws://127.0.0.1:8080/v1/stream */
  url: string;
  /**
   * API token or JWT, when the gateway requires auth. A function is called before every
   * connect, so a JWT can be refreshed: the gateway closes a connection whose JWT expired with
   * 4003, and the client then reconnects at once with the function's new token.
   */
  token?: string | TokenProvider;
  /**
   * `query` sends `?token=` (the only way in browsers); `header` sends `Authorization: Bearer`
   * (needs `ws`). Default: header when the client loaded `ws` itself, else query.
   */
  authTransport?: 'query' | 'header';
  /** Channels to subscribe to on every connect (more can be added with subscribe()). */
  channels?: readonly Channel[];
  /** A WebSocket class; default globalThis.WebSocket, else the `ws` package. */
  WebSocket?: WebSocketConstructor;
  backoff?: Partial<BackoffOptions>;
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean;
  /** Answer deadline of subscribe/unsubscribe/ping and of the welcome after connecting. Default 10 s. */
  requestTimeoutMs?: number;
  /** A connection silent for this many heartbeat intervals is presumed dead. Default 2.5. */
  heartbeatGrace?: number;
  /** A connection that lived this long resets the backoff; shorter ones keep climbing it, so a flapping gateway is not hammered. Default 5 s. */
  stableAfterMs?: number;
  /** Largest inbound frame in characters; larger ones are dropped and reported. */
  maxFrameChars?: number;
  /** Alert ids remembered to suppress duplicates (an alert arrives once per subscribed alert channel, and again in overlapping replays). Default 2048. */
  dedupeWindow?: number;
  random?: () => number;
  scheduler?: Scheduler;
}

/** Returns the token for the next connect (e.g. a fresh JWT from your auth server). */
export type TokenProvider = () => string | Promise<string>;

export type ClientStatus =
  | { state: 'idle' }
  | { state: 'connecting'; attempt: number }
  | { state: 'open'; instance: string; epoch: string; heartbeatMs: number }
  | { state: 'reconnecting'; attempt: number; delayMs: number; reason: string; code?: number }
  | { state: 'closed'; reason: string; error?: ClientError };

/** Where an alert came from: a live (or replayed) event, a channel snapshot, or a resync. */
export type AlertSource = 'event' | 'snapshot' | 'resync';

export interface AlertMeta {
  channel: Channel;
  seq: number;
  epoch: string;
  source: AlertSource;
}

export type StateUpdate = {
  [C in StateChannel]: {
    channel: C;
    value: StateValues[C];
    seq: number;
    epoch: string;
    /** Event time (market clock) of the detector snapshot the value comes from; null when the gateway does not say. */
    asOf: string | null;
    source: AlertSource;
    /** Row keys added, changed or removed by this update (see merge.ts). */
    changed: string[];
  };
}[StateChannel];

export interface GapInfo {
  channel: Channel;
  /** The seq the client last applied. */
  expectedPrevSeq: number;
  prevSeq: number;
  seq: number;
  /** Alert channels resubscribe with a resume point; state channels just take the new full value. */
  recovery: 'resubscribe' | 'replaced';
  reason: 'gap' | 'epoch_changed';
}

export interface ResyncInfo {
  channel: Channel;
  reason: string;
  epoch: string;
  seq: number;
}

export interface ClientEvents {
  alert: [alert: Alert, meta: AlertMeta];
  state: [update: StateUpdate];
  status: [status: ClientStatus];
  error: [error: ClientError];
  gap: [gap: GapInfo];
  resync: [info: ResyncInfo];
  heartbeat: [serverTime: string];
}

interface Pending {
  op: 'subscribe' | 'unsubscribe' | 'ping';
  channels: Channel[];
  resolve: (value: unknown) => void;
  reject: (error: ClientError) => void;
  timer: unknown;
}

interface SubscribeWaiter {
  waiting: Set<Channel>;
  channels: Channel[];
  resolve: (channels: Channel[]) => void;
  reject: (error: ClientError) => void;
  timer: unknown;
}

const OPEN = 1;
/**
 * Installed instead of null when the client lets go of a socket: `ws` emits 'error' for a socket
 * closed or terminated while still connecting, and an EventEmitter error with no listener
 * would crash the process.
 */
const ignoreSocketError = (): void => undefined;
/** Our own close code for a connection we gave up on (no welcome, silent peer). */
const CLIENT_GAVE_UP = 4000;

/**
 * A typed client of the gateway's websocket protocol v1. It connects, subscribes, keeps a
 * cursor (epoch + seq) per channel, merges state channels into `state`, and after any lost
 * connection reconnects with full-jitter backoff and resumes alert channels from their cursors.
 * Inbound frames are validated against the protocol schemas; bad ones are dropped and reported
 * on `error`, never thrown.
 */
export class RotationClient {
  readonly #opts: Required<Omit<ClientOptions, 'token' | 'authTransport' | 'channels' | 'WebSocket' | 'backoff'>> & { backoff: BackoffOptions };
  readonly #tokenSource: string | TokenProvider | undefined;
  /** The token of the current (or last) connect. */
  #token: string | undefined;
  readonly #authTransport: 'query' | 'header' | undefined;
  readonly #ctor: WebSocketConstructor | undefined;
  readonly #emitter: TypedEmitter<ClientEvents>;
  readonly #sched: Scheduler;

  #status: ClientStatus = { state: 'idle' };
  #resolved: ResolvedSocket | undefined;
  #socket: WebSocketLike | undefined;
  #welcomed = false;
  #openedAt = 0;
  #attempt = 0;
  #stopped = false;
  #started = false;
  #nextId = 1;
  #lastHttpStatus: number | undefined;
  #shutdownAfterMs: number | undefined;

  #reconnectTimer: unknown;
  readonly #retryTimers = new Set<unknown>();
  #watchdog: unknown;
  #heartbeatMs = 0;

  /** Channels the owner wants; restored on every connect. */
  readonly #desired = new Set<Channel>();
  /** Channels the current connection has acknowledged. */
  readonly #active = new Set<Channel>();
  /** Alert channels being resubscribed after a gap: their events are dropped until the ack. */
  readonly #recovering = new Set<Channel>();
  readonly #cursors = new Map<Channel, Cursor>();
  readonly #state: Partial<StateValues> = {};
  readonly #pending = new Map<string, Pending>();
  readonly #waiters = new Set<SubscribeWaiter>();
  readonly #seenAlerts = new Set<string>();

  #ready: { promise: Promise<void>; resolve: () => void; reject: (e: ClientError) => void } | undefined;

  constructor(options: ClientOptions) {
    if (typeof options.url !== 'string' || !/^wss?:\/\//i.test(options.url)) {
      throw new ClientError(ClientErrorCode.notConnected, `url must be a ws:// or wss:// URL (got ${JSON.stringify(String(options.url).slice(0, 80))})`);
    }
    this.#opts = {
      url: options.url,
      reconnect: options.reconnect ?? true,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      heartbeatGrace: options.heartbeatGrace ?? 2.5,
      stableAfterMs: options.stableAfterMs ?? 5_000,
      maxFrameChars: options.maxFrameChars ?? DEFAULT_MAX_FRAME_CHARS,
      dedupeWindow: options.dedupeWindow ?? 2048,
      random: options.random ?? Math.random,
      scheduler: options.scheduler ?? realScheduler,
      backoff: validateBackoff({ ...DEFAULT_BACKOFF, ...options.backoff }),
    };
    this.#tokenSource = options.token;
    this.#token = typeof options.token === 'string' ? options.token : undefined;
    this.#authTransport = options.authTransport;
    this.#ctor = options.WebSocket;
    this.#sched = this.#opts.scheduler;
    this.#emitter = new TypedEmitter<ClientEvents>((error, event) => {
      // An `error` listener that throws has nowhere left to report to.
      if (event === 'error') return;
      this.#emitter.emit('error', new ClientError(ClientErrorCode.listener, `a "${String(event)}" listener threw: ${(error as Error)?.message ?? String(error)}`, { event }, { cause: error }));
    });
    for (const ch of options.channels ?? []) this.#desired.add(ch);
  }

  // ---- public API -------------------------------------------------------------------------

  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#emitter.on(event, listener);
  }
  once<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#emitter.once(event, listener);
  }
  off<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): void {
    this.#emitter.off(event, listener);
  }

  /** Updates of one state channel, typed by channel: `client.onState('spreads', (u) => u.value[0]?.spreadPp)`. */
  onState<C extends StateChannel>(channel: C, listener: (update: Extract<StateUpdate, { channel: C }>) => void): () => void {
    return this.#emitter.on('state', (update) => {
      if (update.channel === channel) listener(update as Extract<StateUpdate, { channel: C }>);
    });
  }

  get status(): ClientStatus {
    return this.#status;
  }

  /** The current value of each subscribed state channel (snapshot merged with every update since). */
  get state(): Readonly<Partial<StateValues>> {
    return this.#state;
  }

  /** The last applied position per channel; what the next reconnect resumes from. */
  get cursors(): ReadonlyMap<Channel, Cursor> {
    return this.#cursors;
  }

  get channels(): Channel[] {
    return [...this.#desired];
  }

  /**
   * Opens the connection; resolves at the first welcome. Lost connections are re-established
   * by themselves. Rejects only when connecting cannot succeed (unauthorized, protocol
   * version, no WebSocket implementation) or close() is called first.
   */
  connect(): Promise<void> {
    if (this.#stopped) return Promise.reject(new ClientError(ClientErrorCode.closed, 'the client was closed'));
    if (!this.#ready) {
      let resolve!: () => void;
      let reject!: (e: ClientError) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // connect() callers handle the rejection; the internal copy must not become "unhandled".
      promise.catch(() => undefined);
      this.#ready = { promise, resolve, reject };
    }
    if (!this.#started) {
      this.#started = true;
      void this.#open();
    }
    return this.#ready.promise;
  }

  /**
   * Adds channels. Resolves with them once the gateway acknowledged them (after a reconnect if
   * the client is offline now); rejects on a non-retryable error frame or the request timeout.
   */
  subscribe(channels: readonly Channel[]): Promise<Channel[]> {
    if (this.#stopped) return Promise.reject(new ClientError(ClientErrorCode.closed, 'the client was closed'));
    const list = [...new Set(channels)];
    if (list.length === 0) return Promise.resolve([]);
    const fresh = list.filter((ch) => !this.#desired.has(ch));
    for (const ch of fresh) this.#desired.add(ch);
    const waiting = new Set(list.filter((ch) => !this.#active.has(ch)));
    if (waiting.size === 0) return Promise.resolve(list);
    const promise = new Promise<Channel[]>((resolve, reject) => {
      const waiter: SubscribeWaiter = { waiting, channels: list, resolve, reject, timer: undefined };
      waiter.timer = this.#sched.setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new ClientError(ClientErrorCode.timeout, `no acknowledgement of ${[...waiter.waiting].join(', ')} within ${this.#opts.requestTimeoutMs} ms`, { channels: [...waiter.waiting] }));
      }, this.#opts.requestTimeoutMs);
      this.#waiters.add(waiter);
    });
    if (this.#welcomed && fresh.length > 0) this.#sendSubscriptions(fresh);
    return promise;
  }

  /** Removes channels and forgets their cursors and state. Offline, this is immediate. */
  async unsubscribe(channels: readonly Channel[]): Promise<Channel[]> {
    const list = [...new Set(channels)].filter((ch) => this.#desired.has(ch));
    for (const ch of list) {
      this.#desired.delete(ch);
      this.#cursors.delete(ch);
      this.#recovering.delete(ch);
      if (isStateChannel(ch)) delete this.#state[ch];
    }
    for (const ch of list) this.#active.delete(ch);
    // Also sent for channels whose subscribe is still in flight, so the gateway does not keep feeding them.
    if (list.length === 0 || !this.#welcomed) return list;
    await this.#request('unsubscribe', list);
    return list;
  }

  /** Application-level round trip; resolves with the gateway's time. */
  async ping(): Promise<{ serverTime: string }> {
    if (!this.#welcomed) throw new ClientError(ClientErrorCode.notConnected, 'ping needs an open connection');
    return (await this.#request('ping', [])) as { serverTime: string };
  }

  /**
   * Stops for good: no more reconnects, pending requests rejected, the socket closed with 1000.
   * Resolves when the socket reported its close, or after `timeoutMs` at the latest.
   */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#sched.clearTimeout(this.#reconnectTimer);
    this.#sched.clearTimeout(this.#watchdog);
    const error = new ClientError(ClientErrorCode.closed, 'the client was closed');
    this.#failAll(error);
    this.#ready?.reject(error);
    const socket = this.#socket;
    this.#setStatus({ state: 'closed', reason: 'closed by the client' });
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const timer = this.#sched.setTimeout(() => {
        socket.terminate?.();
        resolve();
      }, timeoutMs);
      socket.onclose = () => {
        this.#sched.clearTimeout(timer);
        resolve();
      };
      socket.onmessage = null;
      socket.onerror = ignoreSocketError;
      try {
        socket.close(CloseCode.normal, 'client closed');
      } catch {
        this.#sched.clearTimeout(timer);
        resolve();
      }
    });
    this.#socket = undefined;
  }

  // ---- connection lifecycle ----------------------------------------------------------------

  async #open(): Promise<void> {
    if (this.#stopped) return;
    this.#setStatus({ state: 'connecting', attempt: this.#attempt });
    try {
      this.#resolved ??= await resolveWebSocket(this.#ctor);
    } catch (error) {
      this.#fatal(error instanceof ClientError ? error : new ClientError(ClientErrorCode.noWebSocket, String(error), {}, { cause: error }));
      return;
    }
    if (this.#stopped) return;
    if (typeof this.#tokenSource === 'function') {
      try {
        this.#token = await this.#tokenSource();
      } catch (error) {
        // The provider may be down for a moment (auth server restart): back off and ask again.
        this.#report(new ClientError(ClientErrorCode.socket, `the token provider failed: ${(error as Error)?.message ?? String(error)}`, {}, { cause: error }));
        this.#onClosed(CLIENT_GAVE_UP, 'token provider failed');
        return;
      }
      if (this.#stopped) return;
    }
    const transport = this.#authTransport ?? (this.#resolved.supportsHeaders ? 'header' : 'query');
    const headers = this.#token !== undefined && transport === 'header' ? { Authorization: `Bearer ${this.#token}` } : undefined;
    this.#lastHttpStatus = undefined;
    this.#shutdownAfterMs = undefined;
    this.#welcomed = false;
    let socket: WebSocketLike;
    try {
      socket = this.#resolved.create(connectUrl(this.#opts.url, this.#token, transport), {
        ...(headers ? { headers } : {}),
        maxPayload: this.#opts.maxFrameChars * 4,
      });
    } catch (error) {
      // A constructor that throws (bad URL, blocked port) will throw again: no point retrying.
      this.#fatal(new ClientError(ClientErrorCode.socket, `cannot open a websocket: ${describeSocketError({ error })}`, {}, { cause: error }));
      return;
    }
    this.#socket = socket;
    socket.onopen = null;
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#onFrame(event.data);
    };
    socket.onerror = (event) => {
      if (this.#socket !== socket) return;
      const status = httpStatusOf(event);
      if (status !== undefined) this.#lastHttpStatus = status;
      this.#report(new ClientError(ClientErrorCode.socket, describeSocketError(event), status !== undefined ? { httpStatus: status } : {}));
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#onClosed(event.code, event.reason);
    };
    // Until the welcome, the request timeout bounds the handshake.
    this.#armWatchdog(this.#opts.requestTimeoutMs, 'no welcome from the gateway');
  }

  #onClosed(code: number, reason: string): void {
    const socket = this.#socket;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = ignoreSocketError;
    }
    this.#socket = undefined;
    this.#sched.clearTimeout(this.#watchdog);
    const wasWelcomed = this.#welcomed;
    this.#welcomed = false;
    this.#active.clear();
    this.#recovering.clear();
    this.#failPendingOnDisconnect();
    if (this.#stopped) return;

    const http = this.#lastHttpStatus;
    const refreshable = typeof this.#tokenSource === 'function';
    if (code === CloseCode.tokenExpired && !refreshable) {
      // The same token would be refused at the upgrade: stop, and say how to avoid it.
      this.#fatal(new ClientError(ClientErrorCode.unauthorized, 'the token expired (close code 4003); pass `token` as a function so the client can fetch a fresh one', { code }));
      return;
    }
    if (code === CloseCode.unauthorized || http === 401 || http === 403) {
      const why = code === CloseCode.unauthorized ? `close code 4001${reason ? ` (${reason})` : ''}` : `HTTP ${http} on the upgrade`;
      this.#fatal(new ClientError(ClientErrorCode.unauthorized, `the gateway refused the token: ${why}${this.#token === undefined ? '; no token was given' : ''}`, { code, httpStatus: http }));
      return;
    }
    if (!this.#opts.reconnect) {
      this.#setStatus({ state: 'closed', reason: `connection closed (${code}${reason ? ` ${reason}` : ''})` });
      this.#stopped = true;
      this.#failAll(new ClientError(ClientErrorCode.notConnected, 'connection closed and reconnect is off'));
      this.#ready?.reject(new ClientError(ClientErrorCode.notConnected, `connection closed (${code})`));
      return;
    }
    const lived = wasWelcomed ? this.#sched.now() - this.#openedAt : 0;
    if (wasWelcomed && lived >= this.#opts.stableAfterMs) this.#attempt = 0;
    let delay: number;
    if (this.#shutdownAfterMs !== undefined) {
      // The gateway announced its shutdown: come back after its hint, spread by a first-step jitter.
      delay = this.#shutdownAfterMs + backoffDelay(0, this.#opts.random, this.#opts.backoff);
    } else if ((code === CloseCode.slowConsumer || code === CloseCode.tokenExpired) && wasWelcomed) {
      // Cut off for falling behind, or for a token that ran out (a fresh one is fetched on
      // connect): the resume brings back what was missed; return promptly.
      delay = backoffDelay(0, this.#opts.random, this.#opts.backoff);
    } else {
      delay = backoffDelay(this.#attempt, this.#opts.random, this.#opts.backoff);
    }
    this.#attempt += 1;
    this.#setStatus({ state: 'reconnecting', attempt: this.#attempt, delayMs: delay, reason: describeClose(code, reason, http), code });
    this.#reconnectTimer = this.#sched.setTimeout(() => void this.#open(), delay);
  }

  /** Gives up on the current socket at once (a dead peer may never complete a close handshake). */
  #drop(reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    try {
      if (socket.terminate) socket.terminate();
      else socket.close(CLIENT_GAVE_UP, reason.slice(0, 100));
    } catch {
      // Already closing; the state below is what matters.
    }
    this.#onClosed(CLIENT_GAVE_UP, reason);
  }

  #fatal(error: ClientError): void {
    this.#stopped = true;
    this.#sched.clearTimeout(this.#reconnectTimer);
    this.#sched.clearTimeout(this.#watchdog);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = ignoreSocketError;
      try {
        socket.close(CloseCode.normal, 'giving up');
      } catch {
        // nothing left to do
      }
    }
    this.#failAll(error);
    this.#report(error);
    this.#setStatus({ state: 'closed', reason: error.message, error });
    this.#ready?.reject(error);
  }

  #armWatchdog(ms: number, reason: string): void {
    this.#sched.clearTimeout(this.#watchdog);
    this.#watchdog = this.#sched.setTimeout(() => this.#drop(reason), ms);
  }

  // ---- inbound frames ----------------------------------------------------------------------

  #onFrame(data: unknown): void {
    const decoded = decodeFrame(data, this.#opts.maxFrameChars);
    if (this.#welcomed) this.#armWatchdog(this.#heartbeatMs * this.#opts.heartbeatGrace, `no frame for ${this.#heartbeatMs * this.#opts.heartbeatGrace} ms`);
    switch (decoded.kind) {
      case 'unknown':
        return;
      case 'invalid':
        this.#report(new ClientError(ClientErrorCode.invalidFrame, `dropped a frame: ${decoded.reason}`));
        return;
      case 'version':
        this.#fatal(new ClientError(ClientErrorCode.protocolVersion, `the gateway speaks protocol version ${JSON.stringify(decoded.version)}; this client speaks 1`));
        return;
      case 'message':
        this.#onMessage(decoded.message);
    }
  }

  #onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome':
        this.#welcomed = true;
        this.#openedAt = this.#sched.now();
        this.#heartbeatMs = m.heartbeatMs;
        this.#armWatchdog(m.heartbeatMs * this.#opts.heartbeatGrace, 'no heartbeat');
        this.#setStatus({ state: 'open', instance: m.instance, epoch: m.epoch, heartbeatMs: m.heartbeatMs });
        if (this.#desired.size > 0) this.#sendSubscriptions([...this.#desired]);
        this.#ready?.resolve();
        return;
      case 'subscribed': {
        const pending = this.#settle(m.id);
        for (const ch of m.channels) {
          if (!this.#desired.has(ch)) continue;
          this.#active.add(ch);
          this.#recovering.delete(ch);
        }
        pending?.resolve(m.channels);
        this.#notifyWaiters();
        return;
      }
      case 'unsubscribed':
        this.#settle(m.id)?.resolve(m.channels);
        return;
      case 'pong':
        this.#settle(m.id)?.resolve({ serverTime: m.serverTime });
        return;
      case 'heartbeat':
        this.#emitter.emit('heartbeat', m.serverTime);
        return;
      case 'shutdown':
        this.#shutdownAfterMs = m.reconnectAfterMs;
        return;
      case 'error':
        this.#onErrorFrame(m);
        return;
      case 'snapshot':
        this.#onSnapshot(m.channel, m.epoch, m.seq, m.data, 'snapshot', 'asOf' in m ? m.asOf : null);
        return;
      case 'resync':
        this.#recovering.delete(m.channel);
        if (this.#onSnapshot(m.channel, m.epoch, m.seq, m.data, 'resync')) {
          this.#emitter.emit('resync', { channel: m.channel, reason: m.reason, epoch: m.epoch, seq: m.seq });
        }
        return;
      case 'event':
        this.#onEvent(m);
        return;
    }
  }

  #onErrorFrame(m: Extract<ServerMessage, { type: 'error' }>): void {
    const error = new ClientError(ClientErrorCode.serverError, `${m.code}: ${m.message}`, { code: m.code, retryable: m.retryable, id: m.id });
    const pending = m.id !== undefined ? this.#settle(m.id) : undefined;
    if (pending?.op === 'subscribe') {
      if (m.retryable) {
        // The gateway may serve it later (history briefly unreachable, rate limit): ask again after a backoff step.
        const delay = backoffDelay(1, this.#opts.random, this.#opts.backoff);
        const channels = pending.channels;
        const timer = this.#sched.setTimeout(() => {
          this.#retryTimers.delete(timer);
          const still = channels.filter((ch) => this.#desired.has(ch) && !this.#active.has(ch));
          if (this.#welcomed && still.length > 0) this.#sendSubscriptions(still);
        }, delay);
        this.#retryTimers.add(timer);
      } else {
        // Refused for good (unknown channel, too many subscriptions): stop asking.
        for (const ch of pending.channels) {
          this.#desired.delete(ch);
          this.#recovering.delete(ch);
        }
        this.#rejectWaiters(pending.channels, error);
      }
    } else {
      pending?.reject(error);
    }
    this.#report(error);
  }

  /**
   * Applies a snapshot or resync; returns false when the frame was dropped. `data` was checked
   * against the channel's own schema when the frame was decoded, so it is what the channel carries.
   */
  #onSnapshot(channel: Channel, epoch: string, seq: number, data: unknown, source: AlertSource, asOf?: string | null): boolean {
    if (!this.#desired.has(channel)) return false;
    if (isStateChannel(channel)) {
      this.#applyState(channel, epoch, seq, data as StateValues[typeof channel], source, asOf ?? null);
      return true;
    }
    if (!isAlertChannel(channel)) return this.#unkept(channel, source, seq);
    this.#cursors.set(channel, { epoch, seq });
    const sorted = [...(data as Alert[])].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    for (const alert of sorted) this.#emitAlert(alert, { channel, seq: alert.seq ?? seq, epoch, source });
    return true;
  }

  #onEvent(m: Extract<ServerMessage, { type: 'event' }>): void {
    const channel = m.channel;
    if (!this.#desired.has(channel) || this.#recovering.has(channel)) return;
    const verdict = judgeEvent(this.#cursors.get(channel), m);
    if (verdict.kind === 'duplicate') return;
    if (isAlertChannel(channel)) {
      if (verdict.kind === 'gap' || verdict.kind === 'epoch_changed') {
        this.#emitGap(m, verdict.kind, 'resubscribe');
        this.#recover(channel);
        return;
      }
      this.#cursors.set(channel, { epoch: m.epoch, seq: m.seq });
      this.#emitAlert(m.data as Alert, { channel, seq: m.seq, epoch: m.epoch, source: 'event' });
      return;
    }
    if (!isStateChannel(channel)) return void this.#unkept(channel, 'event', m.seq);
    if (verdict.kind === 'gap' || verdict.kind === 'epoch_changed') this.#emitGap(m, verdict.kind, 'replaced');
    this.#applyState(channel, m.epoch, m.seq, m.data as StateValues[typeof channel], 'event', 'asOf' in m ? (m.asOf ?? null) : null);
  }

  /** A subject-scoped state channel (`spreads@IWM/SPY`): the server sends it, this client keeps only the plain four. */
  #unkept(channel: Channel, source: AlertSource, seq: number): false {
    this.#report(new ClientError(ClientErrorCode.invalidFrame, `dropped a ${source}: ${channel} is a subject-scoped state channel, which this client does not keep`, { channel, seq }));
    return false;
  }

  /** For a 'gap' or 'epoch_changed' verdict, which judgeEvent gives only when the channel has a cursor. */
  #emitGap(m: Extract<ServerMessage, { type: 'event' }>, reason: GapInfo['reason'], recovery: GapInfo['recovery']): void {
    const cursor = this.#cursors.get(m.channel)!;
    this.#emitter.emit('gap', { channel: m.channel, expectedPrevSeq: cursor.seq, prevSeq: m.prevSeq, seq: m.seq, recovery, reason });
  }

  #applyState<C extends StateChannel>(channel: C, epoch: string, seq: number, value: StateValues[C], source: AlertSource, asOf: string | null): void {
    const merged = mergeState(channel, this.#state[channel], value);
    (this.#state as Record<StateChannel, unknown>)[channel] = merged.value;
    this.#cursors.set(channel, { epoch, seq });
    this.#emitter.emit('state', { channel, value: merged.value, seq, epoch, asOf, source, changed: merged.changed } as StateUpdate);
  }

  #emitAlert(alert: Alert, meta: AlertMeta): void {
    // Ids are stable (derived from kind, subject, window and time), so they identify an alert across channels, replays and epochs.
    if (this.#seenAlerts.has(alert.id)) return;
    this.#seenAlerts.add(alert.id);
    if (this.#seenAlerts.size > this.#opts.dedupeWindow) {
      const oldest = this.#seenAlerts.values().next().value;
      if (oldest !== undefined) this.#seenAlerts.delete(oldest);
    }
    this.#emitter.emit('alert', alert, meta);
  }

  /** Resubscribes one alert channel from its cursor; its events are ignored until the ack. */
  #recover(channel: Channel): void {
    if (!this.#welcomed) return;
    this.#recovering.add(channel);
    this.#active.delete(channel);
    this.#send({ op: 'unsubscribe', id: this.#newId(), channels: [channel] });
    this.#sendSubscriptions([channel]);
  }

  // ---- outbound ----------------------------------------------------------------------------

  #sendSubscriptions(channels: Channel[]): void {
    for (const plan of planSubscribe(channels, this.#cursors)) {
      const id = this.#newId();
      this.#track(id, 'subscribe', plan.channels, () => undefined, () => undefined);
      this.#send({ op: 'subscribe', id, channels: plan.channels, ...(plan.resume ? { resume: plan.resume } : {}), ...(plan.epoch ? { epoch: plan.epoch } : {}) });
    }
  }

  #request(op: 'unsubscribe' | 'ping', channels: Channel[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#newId();
      this.#track(id, op, channels, resolve, reject);
      this.#send(op === 'ping' ? { op, id } : { op, id, channels });
    });
  }

  #track(id: string, op: Pending['op'], channels: Channel[], resolve: Pending['resolve'], reject: Pending['reject']): void {
    const timer = this.#sched.setTimeout(() => {
      this.#pending.delete(id);
      reject(new ClientError(ClientErrorCode.timeout, `no answer to ${op} ${id} within ${this.#opts.requestTimeoutMs} ms`, { id, op }));
    }, this.#opts.requestTimeoutMs);
    this.#pending.set(id, { op, channels, resolve, reject, timer });
  }

  #settle(id: string): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    this.#sched.clearTimeout(pending.timer);
    return pending;
  }

  #send(command: ClientCommand): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return;
    try {
      socket.send(JSON.stringify(command));
    } catch (error) {
      this.#report(new ClientError(ClientErrorCode.socket, `send failed: ${describeSocketError({ error })}`, {}, { cause: error }));
    }
  }

  #newId(): string {
    const id = `c${this.#nextId}`;
    this.#nextId += 1;
    return id;
  }

  // ---- waiters and bookkeeping -------------------------------------------------------------

  #notifyWaiters(): void {
    for (const w of [...this.#waiters]) {
      for (const ch of [...w.waiting]) if (this.#active.has(ch)) w.waiting.delete(ch);
      if (w.waiting.size === 0) {
        this.#waiters.delete(w);
        this.#sched.clearTimeout(w.timer);
        w.resolve(w.channels);
      }
    }
  }

  #rejectWaiters(channels: Channel[], error: ClientError): void {
    for (const w of [...this.#waiters]) {
      if (!channels.some((ch) => w.waiting.has(ch))) continue;
      this.#waiters.delete(w);
      this.#sched.clearTimeout(w.timer);
      w.reject(error);
    }
  }

  /** After a lost connection: subscriptions wait for the next connect, other requests fail. */
  #failPendingOnDisconnect(): void {
    for (const [id, p] of this.#pending) {
      this.#sched.clearTimeout(p.timer);
      this.#pending.delete(id);
      if (p.op === 'unsubscribe') p.resolve(p.channels);
      else if (p.op === 'ping') p.reject(new ClientError(ClientErrorCode.notConnected, 'the connection closed before the answer'));
    }
  }

  #failAll(error: ClientError): void {
    for (const t of this.#retryTimers) this.#sched.clearTimeout(t);
    this.#retryTimers.clear();
    for (const p of this.#pending.values()) {
      this.#sched.clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
    for (const w of this.#waiters) {
      this.#sched.clearTimeout(w.timer);
      w.reject(error);
    }
    this.#waiters.clear();
  }

  #report(error: ClientError): void {
    this.#emitter.emit('error', error);
  }

  #setStatus(status: ClientStatus): void {
    this.#status = status;
    this.#emitter.emit('status', status);
  }
}

function describeClose(code: number, reason: string, httpStatus: number | undefined): string {
  const names: Record<number, string> = {
    [CloseCode.normal]: 'closed',
    [CloseCode.goingAway]: 'gateway going away',
    [CloseCode.policy]: 'policy violation',
    [CloseCode.tooLarge]: 'frame too large',
    [CloseCode.tokenExpired]: 'token expired',
    [CloseCode.slowConsumer]: 'slow consumer',
    [CloseCode.abuse]: 'too many bad commands',
    [CloseCode.heartbeatTimeout]: 'heartbeat timeout',
    [CLIENT_GAVE_UP]: 'gave up on a silent connection',
    1006: 'connection lost',
  };
  const name = names[code] ?? 'closed';
  const http = httpStatus !== undefined ? `, HTTP ${httpStatus}` : '';
  return `${name} (${code}${http})${reason ? `: ${reason}` : ''}`;
}

export function createClient(options: ClientOptions): RotationClient {
  return new RotationClient(options);
}
