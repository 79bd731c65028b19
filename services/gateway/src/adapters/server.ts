import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '@rotation/log';
import { CloseCode, type Alert } from '@rotation/schemas';
import { CLOCK_TOLERANCE_MS, redactPath, type AuthDecision, type Authenticator } from '../core/auth.js';
import { ConnectionCaps, type ConnectionCapsOptions } from '../core/connection-caps.js';
import { expiryStep } from '../core/token-expiry.js';
import { frames } from '../core/frames.js';
import { NOSNIFF } from '../core/http-policy.js';
import type { CommandLimiterOptions } from '../core/rate-limit.js';
import { Connection } from './connection.js';
import type { Hub } from './hub.js';
import { serveMetrics, type MetricsGuard } from './metrics-endpoint.js';
import type { Metrics } from './metrics.js';
import type { RedisStore } from './redis-store.js';
import { handleRules, type RulesRoutesOptions } from './rules-routes.js';
import { HISTORY_PATH, handleHistory, type HistoryRoutesOptions } from './history-routes.js';
import { serveStatic } from './static-files.js';
import { alertVisible, type Viewer } from '../core/channels.js';
import { EVENTS_PATH } from '../core/event-stream.js';
import { corsPolicy, type CorsPolicy } from '../core/cors.js';
import { applyCors } from './cors.js';
import { handleWebhooks, isWebhooksPath, type WebhookRoutesOptions } from './webhook-routes.js';
import { isEventStream, openEventStream, queuePosition, SSE_HEARTBEAT, type EventStreamOptions } from './sse.js';

export const STREAM_PATH = '/v1/stream';

export interface ServerOptions {
  hub: Hub;
  store: RedisStore;
  auth: Authenticator;
  metrics: Metrics;
  logger: Logger;
  /** Kafka consumer running and Redis answering. */
  readiness: () => { ready: boolean; kafka: boolean; redis: boolean };
  staticDir: string | undefined;
  heartbeatMs: number;
  maxPayloadBytes: number;
  maxBufferBytes: number;
  highWaterBytes: number;
  maxConnections: number;
  /** Per-credential and per-address caps under maxConnections. */
  caps: ConnectionCapsOptions;
  limiter: CommandLimiterOptions;
  apiMaxLimit: number;
  /** GATEWAY_METRICS: who may read /metrics. */
  metricsGuard: MetricsGuard;
  /** GATEWAY_SOURCE_MAPS. */
  sourceMaps: boolean;
  /** The rules API (absent: /api/v1/rules answers 404). */
  rules?: RulesRoutesOptions | undefined;
  /** The point-history API (absent: /api/v1/history answers 404). */
  history?: HistoryRoutesOptions | undefined;
  /** Channels one connection (websocket or event stream) may hold. */
  maxSubscriptions: number;
  /** GATEWAY_CORS_ORIGINS: browser origins that may call /api/* from their pages. */
  corsOrigins?: readonly string[];
  /** The webhook sinks API (absent: /api/v1/webhooks answers 404). */
  webhooks?: WebhookRoutesOptions | undefined;
}

/**
 * One node:http server for the API, the dashboard files and the websocket upgrade. The
 * upgrade is authorised before the handshake completes, so an unauthorised client gets a
 * plain HTTP 401 and never an open socket.
 */
export class GatewayServer {
  readonly http: Server;
  readonly #wss: WebSocketServer;
  readonly #options: ServerOptions;
  readonly #caps: ConnectionCaps;
  readonly #events: EventStreamOptions;
  readonly #cors: CorsPolicy;
  #heartbeat: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(options: ServerOptions) {
    this.#options = options;
    this.#caps = new ConnectionCaps(options.caps);
    this.#cors = corsPolicy(options.corsOrigins ?? []);
    this.#events = { ...options, caps: this.#caps, stopping: () => this.#stopping, watchExpiry: (conn, at) => this.#watchExpiry(conn, at) };
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      // Compression costs memory per socket and latency per message; frames are small JSON.
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.http = createServer((req, res) => {
      this.#request(req, res).catch((error: unknown) => {
        options.logger.error({ err: error, path: redactPath(req.url ?? '') }, 'request failed');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.#upgrade(req, socket, head).catch((error: unknown) => {
        options.logger.error({ err: error }, 'upgrade failed');
        reject(socket, 500, 'internal error');
      });
    });
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 30_000;
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatMs);
    const address = this.http.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** Announces the shutdown, closes every websocket, and stops the HTTP server. */
  async close(reconnectAfterMs = 0, graceMs = 2_000): Promise<void> {
    this.#stopping = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const { hub } = this.#options;
    hub.broadcast(frames.shutdown(reconnectAfterMs));
    const conns = [...hub.connections];
    const closed = conns.map((c) => new Promise<void>((resolve) => (c.ws.readyState === c.ws.CLOSED ? resolve() : c.ws.once('close', () => resolve()))));
    for (const c of conns) c.close(CloseCode.goingAway, 'server shutting down');
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const c of conns) c.ws.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  #beat(): void {
    const frame = frames.heartbeat(new Date());
    for (const conn of this.#options.hub.connections) {
      if (isEventStream(conn.ws)) {
        conn.sendState('heartbeat', SSE_HEARTBEAT);
        queuePosition(conn, this.#options.hub);
        continue;
      }
      if (!conn.alive) {
        this.#options.metrics.heartbeatTimeouts.inc();
        conn.close(CloseCode.heartbeatTimeout, 'no pong');
        setTimeout(() => conn.ws.terminate(), 1_000).unref();
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        // the socket is closing; the close handler cleans up
      }
      // Keyed, so a client that is behind holds one heartbeat, not a queue of them.
      conn.sendState('heartbeat', frame);
    }
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== STREAM_PATH) return reject(socket, 404, `websocket endpoint is ${STREAM_PATH}`);
    if (this.#stopping) return reject(socket, 503, 'shutting down');
    if (this.#options.hub.connections.size >= this.#options.maxConnections) return reject(socket, 503, 'too many connections');
    const decision = await this.#authorize(req, url);
    if (!decision.ok) {
      this.#options.logger.info({ path: redactPath(req.url ?? ''), reason: decision.reason, remote: req.socket.remoteAddress }, 'websocket upgrade refused');
      return reject(socket, decision.status, decision.reason);
    }
    // Anonymous clients (auth off) share one subject, so only their address tells them apart.
    const slot = this.#caps.tryAcquire(decision.method === 'none' ? undefined : decision.subject, req.socket.remoteAddress);
    if (!slot.ok) {
      this.#options.metrics.capRefusals.inc({ limit: slot.limit });
      this.#options.logger.info({ limit: slot.limit, max: slot.max, subject: decision.subject, remote: req.socket.remoteAddress }, 'websocket upgrade over its connection cap');
      return reject(socket, 429, `too many connections for this ${slot.limit === 'token' ? 'token' : 'address'} (at most ${slot.max})`);
    }
    // The raw socket's close covers both ends: a handshake that fails and a connection that ends.
    socket.once('close', slot.release);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#connected(ws, decision));
  }

  /** The upgrade and the API take a token the same ways (bearer header or `?token=`); every refusal is counted. */
  async #authorize(req: IncomingMessage, url: URL): Promise<AuthDecision> {
    const decision = await this.#options.auth.authorize({
      authorization: req.headers.authorization,
      queryToken: url.searchParams.get('token') ?? undefined,
      origin: req.headers.origin,
    });
    if (!decision.ok) this.#options.metrics.authFailures.inc({ status: String(decision.status) });
    return decision;
  }

  #connected(ws: WebSocket, decision: Extract<AuthDecision, { ok: true }>): void {
    const { hub, logger, metrics } = this.#options;
    const subject = decision.subject;
    const conn = new Connection(ws, subject, {
      maxBufferBytes: this.#options.maxBufferBytes,
      highWaterBytes: this.#options.highWaterBytes,
      limiter: this.#options.limiter,
      metrics,
      logger,
    });
    conn.admin = decision.admin;
    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      conn.alive = true;
      hub.onFrame(conn, Buffer.isBuffer(data) ? data : Buffer.concat(data as unknown as Buffer[]), isBinary);
    });
    ws.on('error', (err) => logger.debug({ conn: conn.id, err: err.message }, 'websocket error'));
    const expiry = decision.expiresAt === undefined ? undefined : this.#watchExpiry(conn, decision.expiresAt);
    ws.on('close', (code) => {
      clearTimeout(expiry?.timer);
      hub.detach(conn);
      logger.debug({ conn: conn.id, code }, 'websocket closed');
    });
    hub.attach(conn);
    logger.debug({ conn: conn.id, subject }, 'websocket connected');
  }

  /** The upgrade checked the token once; this closes the connection when the token runs out. */
  #watchExpiry(conn: Connection, expiresAt: number): { timer: NodeJS.Timeout | undefined } {
    const handle: { timer: NodeJS.Timeout | undefined } = { timer: undefined };
    const check = () => {
      const step = expiryStep(expiresAt, Date.now(), CLOCK_TOLERANCE_MS);
      if (step.kind === 'wait') {
        handle.timer = setTimeout(check, step.ms);
        handle.timer.unref();
        return;
      }
      this.#options.metrics.tokenExpiries.inc();
      this.#options.logger.info({ conn: conn.id, subject: conn.subject }, 'token expired; closing the connection');
      conn.close(CloseCode.tokenExpired, 'token expired');
      // A peer that never answers the close frame does not keep the socket.
      setTimeout(() => conn.ws.terminate(), 2_000).unref();
    };
    check();
    return handle;
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;
    const isRules = path === '/api/v1/rules' || path.startsWith('/api/v1/rules/') || isWebhooksPath(path);
    if (path.startsWith('/api/') && applyCors(this.#cors, req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD' && !isRules) return json(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const r = this.#options.readiness();
      return json(res, r.ready && !this.#stopping ? 200 : 503, { ...r, ready: r.ready && !this.#stopping });
    }
    if (path === '/metrics') return serveMetrics(req, res, this.#options.metrics, this.#options.metricsGuard);
    if (path.startsWith('/api/')) {
      const decision = await this.#authorize(req, url);
      if (!decision.ok) {
        return json(res, decision.status, { error: decision.reason }, decision.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
      }
      const viewer: Viewer = { owner: decision.subject, admin: decision.admin };
      if (path === '/api/v1/snapshot') return this.#snapshot(res);
      if (path === '/api/v1/alerts') return this.#alerts(res, url.searchParams, viewer);
      if (path === HISTORY_PATH && this.#options.history) return handleHistory(url.search, this.#options.history, (status, body, headers) => json(res, status, body, headers));
      if (path === EVENTS_PATH) return openEventStream(this.#events, req, res, url.searchParams, decision, (status, body, headers) => json(res, status, body, headers));
      const rules = this.#options.rules;
      const hooks = this.#options.webhooks;
      if (hooks && isWebhooksPath(path) && (await handleWebhooks(req, path, viewer, hooks, (status, body, headers) => json(res, status, body, headers)))) return;
      if (isRules && rules && (await handleRules(req, path, url.searchParams, viewer, rules, (status, body, headers) => json(res, status, body, headers)))) return;
      return json(res, 404, { error: 'not found' });
    }
    if (path === STREAM_PATH) return json(res, 426, { error: 'this endpoint speaks websocket' }, { upgrade: 'websocket' });
    if (this.#options.staticDir && (await serveStatic(this.#options.staticDir, req, res, path, { sourceMaps: this.#options.sourceMaps }))) return;
    json(res, 404, { error: 'not found' });
  }

  #snapshot(res: ServerResponse): void {
    const record = this.#options.hub.state.record;
    if (!record) return json(res, 404, { error: 'no snapshot yet' });
    json(res, 200, record.snapshot, { 'x-snapshot-version': String(record.version), 'x-epoch': this.#options.hub.epoch });
  }

  /** Built-in alerts, plus the viewer's own rule alerts (every owner's for an admin). */
  async #alerts(res: ServerResponse, params: URLSearchParams, viewer: Viewer): Promise<void> {
    const since = intParam(params.get('since'), 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(params.get('limit'), 1, Number.MAX_SAFE_INTEGER);
    if (since === null || limit === null) return json(res, 400, { error: 'since must be an integer >= 0 and limit an integer >= 1' });
    const n = Math.min(limit ?? 100, this.#options.apiMaxLimit);
    const { hub, store } = this.#options;
    const visible = (a: Alert) => alertVisible(a, viewer);
    const body = (alerts: Alert[]) => json(res, 200, { alerts: alerts.filter(visible), epoch: hub.epoch, head: hub.alerts.head });
    if (since === undefined) {
      const memory = hub.alerts.recentWhere(n, visible);
      if (memory.length >= n || hub.alerts.firstSeq === 1 || hub.alerts.head === 0) return body(memory);
      try {
        return body(await store.tail(n));
      } catch {
        return body(memory);
      }
    }
    const memory = hub.alerts.since(since + 1);
    if (memory) return body(memory.slice(0, n).map((l) => l.alert));
    try {
      return body(await store.range(since + 1, undefined, n));
    } catch {
      return json(res, 503, { error: 'alert history is unavailable right now' }, { 'retry-after': '2' });
    }
  }
}

/** null when invalid, undefined when absent. */
function intParam(raw: string | null, min: number, max: number): number | undefined | null {
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...NOSNIFF, ...headers });
  res.end(text);
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * How long a refused socket may take to flush its response. end() alone only half-closes: a
 * peer that reads the response and never closes its side kept the fd for ever (20,000 of them
 * filled the fd limit), and node drops its own HTTP timeouts for an upgraded socket.
 */
export const REFUSED_SOCKET_LINGER_MS = 2_000;

function reject(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: reason });
  const extra = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : status === 429 ? 'Retry-After: 5\r\n' : '';
  const backstop = setTimeout(() => socket.destroy(), REFUSED_SOCKET_LINGER_MS);
  backstop.unref();
  socket.once('close', () => clearTimeout(backstop));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    // Flushed to the kernel, which still delivers it after the fd is closed.
    () => socket.destroy(),
  );
}
