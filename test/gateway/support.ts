/**
 * Helpers for gateway integration tests: a stand-in for the detector's writes (exactly the
 * shared-key and topic contract), in-process gateway instances, and a websocket client that
 * records every frame.
 */
import { once } from 'node:events';
import { createServer, Socket, type Server } from 'node:net';
import { inject } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import type { Kafka, Producer } from 'kafkajs';
import { loadConfig } from '@rotation/config';
import { startGateway, type GatewayTuning, type RunningGateway } from '@rotation/gateway';
import type { Logger } from '@rotation/log';
import { sharedKeys, type Redis } from '@rotation/redis';
import { ServerMessage, topicNames, type Alert, type Snapshot, type SnapshotRecord } from '@rotation/schemas';

export type Msg = ServerMessage;

/** Does what the detector does for each alert and snapshot, through the same keys and topics. */
export class DetectorSim {
  readonly keys: ReturnType<typeof sharedKeys>;
  readonly topics: ReturnType<typeof topicNames>;
  #producer: Producer;
  #version = 0;

  private constructor(
    private readonly redis: Redis,
    producer: Producer,
    ns: string,
  ) {
    this.keys = sharedKeys(ns);
    this.topics = topicNames(ns);
    this.#producer = producer;
  }

  static async start(redis: Redis, kafka: Kafka, ns: string, epoch = 'e1'): Promise<DetectorSim> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const sim = new DetectorSim(redis, producer, ns);
    await redis.set(sim.keys.alertEpoch, epoch);
    return sim;
  }

  /** INCR the seq, XADD `<seq>-0` with field `a`, mark it published, produce keyed by id. */
  async alerts(count: number, make: (seq: number) => Partial<Alert> = () => ({})): Promise<Array<Alert & { seq: number }>> {
    const last = await this.redis.incrby(this.keys.alertSeq, count);
    const out: Array<Alert & { seq: number }> = [];
    const tx = this.redis.multi();
    for (let seq = last - count + 1; seq <= last; seq++) {
      const alert = makeAlert(seq, make(seq));
      out.push(alert);
      tx.xadd(this.keys.alertHistory, `${seq}-0`, 'a', JSON.stringify(alert));
    }
    tx.set(this.keys.alertPublished, String(last));
    await tx.exec();
    await this.#producer.send({
      topic: this.topics.alerts,
      acks: -1,
      // Kafka timestamp = the alert's event time, as the detector's outbox sets it.
      messages: out.map((a) => ({ key: a.id, value: JSON.stringify(a), timestamp: String(Date.parse(a.eventTime)) })),
    });
    return out;
  }

  /** `shape` edits the snapshot before it is written (more pairs, other sectors). */
  async snapshot(spreadPp: number, shape: (s: Snapshot) => Snapshot = (s) => s): Promise<SnapshotRecord> {
    const record: SnapshotRecord = { v: 1, version: ++this.#version, snapshot: shape(makeSnapshot(spreadPp)) };
    await this.redis.set(this.keys.snapshot, JSON.stringify(record));
    await this.#producer.send({ topic: this.topics.snapshots, acks: -1, messages: [{ key: 'snapshot', value: JSON.stringify(record) }] });
    return record;
  }

  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}

export function makeAlert(seq: number, over: Partial<Alert> = {}): Alert & { seq: number } {
  const kind: Alert['kind'] = over.kind ?? 'spread_zscore';
  return {
    id: `a_${kind}_${seq}`,
    kind,
    severity: 'warning',
    subject: 'IWM/SPY',
    window: '7d',
    eventTime: new Date(Date.UTC(2024, 2, 8, 14, 30) + seq * 60_000).toISOString(),
    message: `Small caps lead: alert ${seq}`,
    metrics: { spreadPp: seq / 10 },
    ...over,
    seq,
  };
}

export function makeSnapshot(spreadPp: number): Snapshot {
  return {
    asOf: '2024-03-08T21:00:00.000Z',
    returns: { IWM: { '7d': 3.25 }, SPY: { '7d': -0.72 } },
    spreads: [{ pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '7d', smallReturnPct: 3.25, largeReturnPct: -0.72, spreadPp, ratio: 101.4, zScore: 1.8 }],
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

/** Starts an in-process gateway for namespace `ns`, on port 0, with `env` on top of the shared infrastructure. */
export async function gateway(
  ns: string,
  logger: Logger,
  env: Record<string, string> = {},
  tuning: Partial<GatewayTuning> = {},
  instanceId?: string,
): Promise<RunningGateway> {
  const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), ...env });
  return startGateway(config, { logger, port: 0, host: '127.0.0.1', tuning: { probeMs: 300, ...tuning }, ...(instanceId ? { instanceId } : {}) });
}

/** A websocket client that validates and records every server frame. */
export class Client {
  readonly messages: Msg[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeCode: number | undefined;
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data: Buffer) => {
      this.messages.push(ServerMessage.parse(JSON.parse(data.toString())));
      for (const w of this.#waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<Client> {
    const ws = new WebSocket(url, options);
    const client = new Client(ws);
    await once(ws, 'open');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first recorded message (from index `from`) that matches. */
  async next<T extends Msg['type']>(type: T, match: (m: Extract<Msg, { type: T }>) => boolean = () => true, from = 0, timeoutMs = 20_000): Promise<Extract<Msg, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find((m): m is Extract<Msg, { type: T }> => m.type === type && match(m as Extract<Msg, { type: T }>));
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed (${this.closeCode}) while waiting for ${type}; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Alert events received on `channel`, in arrival order. */
  alertSeqs(channel = 'alerts'): number[] {
    return this.messages.filter((m) => m.type === 'event' && m.channel === channel).map((m) => (m as { seq: number }).seq);
  }

  /** Waits until the last alert seq on `channel` is at least `seq`. */
  async untilSeq(seq: number, channel = 'alerts', timeoutMs = 30_000): Promise<void> {
    await this.next('event', (m) => m.channel === channel && m.seq >= seq, 0, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** Polls `check` until it holds (condition waits, never a timing assertion). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The HTTP status of an upgrade attempt that the server refuses (or 101 when it accepts). */
export async function upgradeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (err) => reject(err));
  });
}

/**
 * A TCP proxy in front of Redis that can be cut and restored: a Redis outage for one gateway
 * without touching the shared server.
 */
export class CuttableProxy {
  #server: Server;
  #sockets = new Set<Socket>();
  #down = false;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      if (this.#down) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(target.port, target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<void> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const a = this.#server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  cut(): void {
    this.#down = true;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.#server.close(r));
  }
}
