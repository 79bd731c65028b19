/**
 * A small but real websocket server speaking protocol v1 (per the zod schemas in
 * @rotation/schemas), for testing the client without Kafka, Redis or the gateway: welcome,
 * subscribe acks, snapshots, alert events with seq/prevSeq per channel, resume from history,
 * resync, token auth (HTTP 401 on the upgrade), and levers to misbehave on purpose (kill a
 * connection, skip a frame, change epoch, announce a shutdown, send garbage).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  Alert,
  ClientCommand,
  PROTOCOL_VERSION,
  stateValueOf,
  type AlertKind,
  type Channel,
  type ServerMessage,
  type Snapshot,
  type StateChannel,
} from '@rotation/schemas';

export type SequencedAlert = Alert & { seq: number };

const STATE_CHANNELS: readonly StateChannel[] = ['spreads', 'sectors', 'rrg', 'breadth'];
const isState = (ch: Channel): ch is StateChannel => (STATE_CHANNELS as readonly string[]).includes(ch);
const matches = (ch: Channel, a: Pick<Alert, 'kind'>) => ch === 'alerts' || ch === `alerts:${a.kind}`;

export interface Conn {
  id: number;
  ws: WebSocket;
  subs: Set<Channel>;
  commands: ClientCommand[];
  /** How the token arrived, if any. */
  auth: 'query' | 'header' | 'none';
}

export interface ProtocolServerOptions {
  /** When set, an upgrade without this token is refused with HTTP 401. */
  token?: string;
  heartbeatMs?: number;
  /** Alerts in a snapshot / resync of an alert channel. */
  recent?: number;
  /** Oldest history kept: resumes from further back get a resync. */
  historyLimit?: number;
}

export class ProtocolServer {
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #opts: Required<Omit<ProtocolServerOptions, 'token'>> & { token?: string };
  readonly conns: Conn[] = [];
  /** Every connection attempt, including refused ones. */
  upgrades = 0;
  epoch = 'e1';
  history: SequencedAlert[] = [];
  version = 0;
  snapshot: Snapshot | undefined;
  #nextConn = 1;
  #heartbeat: NodeJS.Timeout | undefined;
  /** Alert seqs not to deliver live (forces a gap on the client). */
  readonly skipLive = new Set<number>();
  port = 0;

  constructor(options: ProtocolServerOptions = {}) {
    this.#opts = { heartbeatMs: 1_000, recent: 3, historyLimit: 1_000, ...options };
    this.#http = createServer((_req, res) => res.writeHead(404).end());
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 });
    this.#http.on('upgrade', (req, socket, head) => {
      this.upgrades += 1;
      const auth = this.#authOf(req);
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/v1/stream') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (auth === 'refused') {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, auth));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/v1/stream`;
  }

  async listen(port = 0): Promise<void> {
    this.#http.listen(port, '127.0.0.1');
    await once(this.#http, 'listening');
    this.port = (this.#http.address() as AddressInfo).port;
    this.#heartbeat = setInterval(() => {
      for (const c of this.open()) this.#send(c, { type: 'heartbeat', serverTime: new Date().toISOString() });
    }, this.#opts.heartbeatMs);
  }

  /** Connections still open. */
  open(): Conn[] {
    return this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN);
  }

  /** Appends alerts to history and delivers them live to subscribers (except seqs in skipLive). */
  publish(count: number, kindOf: (seq: number) => AlertKind = () => 'spread_zscore'): SequencedAlert[] {
    const out: SequencedAlert[] = [];
    for (let i = 0; i < count; i++) {
      const seq = (this.history.at(-1)?.seq ?? 0) + 1;
      const alert = makeAlert(seq, kindOf(seq));
      const prevAll = this.history.at(-1)?.seq ?? 0;
      const prevKind = [...this.history].reverse().find((a) => a.kind === alert.kind)?.seq ?? 0;
      this.history.push(alert);
      if (this.history.length > this.#opts.historyLimit) this.history.shift();
      out.push(alert);
      if (this.skipLive.has(seq)) continue;
      for (const c of this.open()) {
        if (c.subs.has('alerts')) this.#send(c, { type: 'event', channel: 'alerts', epoch: this.epoch, seq, prevSeq: prevAll, data: alert });
        const byKind = `alerts:${alert.kind}` as Channel;
        if (c.subs.has(byKind)) this.#send(c, { type: 'event', channel: byKind, epoch: this.epoch, seq, prevSeq: prevKind, data: alert });
      }
    }
    return out;
  }

  /** A new snapshot version, delivered as an event on every state channel. */
  publishSnapshot(snapshot: Snapshot): void {
    const prevSeq = this.version;
    this.version += 1;
    this.snapshot = snapshot;
    for (const c of this.open()) {
      for (const ch of STATE_CHANNELS) {
        if (c.subs.has(ch)) this.#send(c, { type: 'event', channel: ch, epoch: this.epoch, seq: this.version, prevSeq, data: this.#stateOf(ch) });
      }
    }
  }

  /** History is lost (a Redis wipe): a new epoch, seqs restart. */
  newEpoch(epoch: string): void {
    this.epoch = epoch;
    this.history = [];
  }

  /** Drops every connection without a closing handshake (a crash or network cut). */
  killAll(): void {
    for (const c of this.open()) c.ws.terminate();
  }

  closeAll(code: number, reason = ''): void {
    for (const c of this.open()) c.ws.close(code, reason);
  }

  shutdownAll(reconnectAfterMs: number): void {
    for (const c of this.open()) {
      this.#send(c, { type: 'shutdown', reconnectAfterMs });
      c.ws.close(1001, 'shutting down');
    }
  }

  /** Sends anything, valid or not, to every open connection. */
  sendRaw(frame: string): void {
    for (const c of this.open()) c.ws.send(frame);
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const c of this.conns) c.ws.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #authOf(req: IncomingMessage): Conn['auth'] | 'refused' {
    const queryToken = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
    const header = req.headers.authorization;
    const headerToken = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (this.#opts.token === undefined) return 'none';
    if (headerToken === this.#opts.token) return 'header';
    if (queryToken === this.#opts.token) return 'query';
    return 'refused';
  }

  #accept(ws: WebSocket, auth: Conn['auth']): void {
    const conn: Conn = { id: this.#nextConn++, ws, subs: new Set(), commands: [], auth };
    this.conns.push(conn);
    ws.on('error', () => undefined);
    ws.on('message', (data) => this.#onCommand(conn, data.toString()));
    this.#send(conn, { type: 'welcome', version: PROTOCOL_VERSION, serverTime: new Date().toISOString(), heartbeatMs: this.#opts.heartbeatMs, epoch: this.epoch, instance: 'test-server' });
  }

  #onCommand(conn: Conn, text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.#send(conn, { type: 'error', code: 'bad_json', message: 'not JSON', retryable: false });
    }
    const parsed = ClientCommand.safeParse(json);
    if (!parsed.success) return this.#send(conn, { type: 'error', code: 'bad_command', message: parsed.error.issues[0]?.message ?? 'bad', retryable: false });
    const cmd = parsed.data;
    conn.commands.push(cmd);
    switch (cmd.op) {
      case 'ping':
        return this.#send(conn, { type: 'pong', id: cmd.id, serverTime: new Date().toISOString() });
      case 'unsubscribe':
        for (const ch of cmd.channels) conn.subs.delete(ch);
        return this.#send(conn, { type: 'unsubscribed', id: cmd.id, channels: cmd.channels });
      case 'subscribe': {
        const fresh = cmd.channels.filter((ch) => !conn.subs.has(ch));
        for (const ch of cmd.channels) conn.subs.add(ch);
        this.#send(conn, { type: 'subscribed', id: cmd.id, channels: cmd.channels });
        for (const ch of fresh) {
          if (isState(ch)) this.#send(conn, { type: 'snapshot', channel: ch, epoch: this.epoch, seq: this.version, data: this.#stateOf(ch) });
          else this.#subscribeAlerts(conn, ch, cmd.resume?.[ch], cmd.epoch);
        }
      }
    }
  }

  #subscribeAlerts(conn: Conn, ch: Channel, lastSeq: number | undefined, clientEpoch: string | undefined): void {
    const head = this.history.at(-1)?.seq ?? 0;
    if (lastSeq === undefined) {
      return this.#send(conn, { type: 'snapshot', channel: ch, epoch: this.epoch, seq: head, data: this.#recent(ch) });
    }
    const first = this.history[0]?.seq;
    const reachable = lastSeq === head || (first !== undefined && lastSeq + 1 >= first && lastSeq <= head);
    if ((clientEpoch !== undefined && clientEpoch !== this.epoch) || !reachable) {
      const reason = clientEpoch !== undefined && clientEpoch !== this.epoch ? 'epoch_changed' : 'history_trimmed';
      return this.#send(conn, { type: 'resync', channel: ch, epoch: this.epoch, seq: head, reason, data: this.#recent(ch) });
    }
    let prev = lastSeq;
    for (const a of this.history) {
      if (a.seq <= lastSeq || !matches(ch, a)) continue;
      this.#send(conn, { type: 'event', channel: ch, epoch: this.epoch, seq: a.seq, prevSeq: prev, data: a });
      prev = a.seq;
    }
  }

  #recent(ch: Channel): SequencedAlert[] {
    return this.history.filter((a) => matches(ch, a)).slice(-this.#opts.recent);
  }

  #stateOf(ch: StateChannel) {
    return stateValueOf(this.snapshot, ch);
  }

  /**
   * Any frame of a known type: this stand-in computes channels at run time, where the protocol's
   * per-channel types cannot follow; the client under test validates every frame it gets.
   */
  #send(conn: Conn, message: Pick<ServerMessage, 'type'> & Record<string, unknown>): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(message));
  }
}

export function makeAlert(seq: number, kind: AlertKind = 'spread_zscore'): SequencedAlert {
  return Alert.parse({
    id: `a_${kind}_${seq}`,
    kind,
    severity: seq % 3 === 0 ? 'critical' : 'warning',
    subject: 'IWM/SPY',
    window: '7d',
    eventTime: new Date(Date.UTC(2024, 2, 8, 14, 30) + seq * 60_000).toISOString(),
    message: `Small caps lead: IWM +${(seq / 10).toFixed(2)}% vs SPY over 7d`,
    metrics: { spreadPp: seq / 10 },
    seq,
  }) as SequencedAlert;
}

export function makeSnapshot(spreadPp: number): Snapshot {
  return {
    asOf: '2024-03-08T21:00:00.000Z',
    returns: { IWM: { '7d': 3.25 }, SPY: { '7d': -0.72 } },
    spreads: [
      { pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '7d', smallReturnPct: 3.25, largeReturnPct: 3.25 - spreadPp, spreadPp, ratio: 101.4, zScore: 1.8 },
      { pair: 'AI/RSP', small: 'AI', large: 'RSP', window: '7d', smallReturnPct: -1.5, largeReturnPct: 0.5, spreadPp: -2, ratio: 98.1, zScore: null },
    ],
    sectors: [
      {
        window: '7d',
        ranking: [
          { symbol: 'XLK', name: 'Technology', returnPct: 2.1, relativePct: 1.2, rank: 1 },
          { symbol: 'XLU', name: 'Utilities', returnPct: -1.4, relativePct: -2.3, rank: 2 },
        ],
        leader: 'XLK',
        laggard: 'XLU',
        rotationIntensity: 0.4,
      },
    ],
    rrg: [{ symbol: 'XLK', rsRatio: 101.2, rsMomentum: 100.4, quadrant: 'leading', warm: true, tail: [] }],
    breadth: { window: '7d', sectorsBeatingBenchmarkPct: 54.5, sectorsLeadingOrImprovingPct: 45.5, constituents: null },
  };
}

/** Polls `check` until it holds (a condition wait, never a timing assertion). */
export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
