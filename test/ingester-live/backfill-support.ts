/**
 * A live start with history, in process, against fake Alpaca REST (bars and corporate actions)
 * and stream servers, the real broker and Redis, and a real detector: what the backfill suites
 * share. The market runs on a shifted clock that reads `at` exactly when the stream subscribes,
 * so a suite picks the market minute of its hand-over whatever the time of the run.
 */
import { loadConfig, type Config } from '@rotation/config';
import { startDetector, type DetectorHandle } from '@rotation/detector';
import { createKafka, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { sharedKeys, type Redis } from '@rotation/redis';
import { topicNames, type Alert, type Snapshot, type SnapshotRecord } from '@rotation/schemas';
import { inject } from 'vitest';
import { createBackfill, LiveBackfillSource, topicEnds, createLiveSource, Pipeline, type RunSummary } from '@rotation/ingester';
import type { IngestSource } from '@rotation/ingester';
import type { FakeReply } from '../fakes/rest-fake.js';
import { FakeAlpaca, type AlpacaScript } from '../fakes/alpaca.js';
import { startHistoryFake, type HistoryHandler } from '../fakes/history.js';
import type { HistoryMarket } from '../fakes/history-market.js';

export const KEY = 'AKBACKFILLTEST0001';
export const SECRET = 'backfill-test-secret-000001';

/** A clock at real pace that reads `at` on its first call; `jump(to)` makes its next call read `to`. */
export function clockFrom(at: number): (() => number) & { jump(to: number): void } {
  let anchor = at;
  let offset: number | undefined;
  const clock = () => {
    offset ??= Date.now() - anchor;
    return Date.now() - offset;
  };
  return Object.assign(clock, {
    jump: (to: number) => {
      anchor = to;
      offset = undefined;
    },
  });
}

export interface FakeProvider {
  rest: Awaited<ReturnType<typeof startHistoryFake<'alpaca'>>>;
  stream: FakeAlpaca;
  history: HistoryHandler;
  close(): Promise<void>;
}

export async function fakeAlpaca(o: { market: HistoryMarket; now: () => number; scripts?: AlpacaScript[]; faults?: Record<number, FakeReply>; slowPage?: { index: number; delayMs: number }; pageSize?: number; actions?: Parameters<typeof startHistoryFake<'alpaca'>>[1]['actions'] }): Promise<FakeProvider> {
  const rest = await startHistoryFake('alpaca', {
    market: o.market,
    credentials: { keyId: KEY, secretKey: SECRET },
    now: o.now,
    ...(o.faults ? { faults: o.faults } : {}),
    ...(o.slowPage ? { slowPage: o.slowPage } : {}),
    ...(o.pageSize ? { pageSize: o.pageSize } : {}),
    ...(o.actions ? { actions: o.actions } : {}),
  });
  const stream = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: o.scripts ?? [{}] });
  return {
    rest,
    stream,
    history: rest.history,
    close: async () => {
      await stream.close();
      await rest.server.close();
    },
  };
}

export function liveConfig(ns: string, fake: FakeProvider, extra: Record<string, string> = {}): Config {
  return loadConfig({
    ROTATION_NAMESPACE: ns,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    REDIS_URL: inject('redisUrl'),
    KAFKA_TICKS_PARTITIONS: '3',
    INGESTER_HTTP_PORT: '0',
    ALPACA_KEY_ID: KEY,
    ALPACA_SECRET_KEY: SECRET,
    ALPACA_STREAM_URL: fake.stream.url,
    ALPACA_DATA_URL: fake.rest.url,
    INGESTER_BACKFILL_SETTLE_MS: '200',
    ...extra,
  });
}

export interface LiveRun {
  pipeline: Pipeline;
  source: LiveBackfillSource;
  done: Promise<RunSummary>;
}

/** `ingest live --provider alpaca` as main.ts wires it, with the clock and the HTTP retries' pace injected. */
export function startLive(config: Config, kafka: Kafka, logger: Logger, now: () => number, o: { stopAfterQuotes?: number } = {}): LiveRun {
  const { env, universe } = config;
  const live = createLiveSource('alpaca', { env, universe, logger });
  // Retries after a second, not after the production backoff: the faults are scripted.
  const setup = createBackfill('alpaca', { env, universe, logger, http: { backoff: { initialMs: 50, maxMs: 200, multiplier: 2, minMs: 0 }, maxRetryAfterMs: 1_000 } });
  const source = new LiveBackfillSource({
    name: 'alpaca',
    live,
    ...setup,
    topicEnds: async () => (await topicEnds(kafka, topicNames(env.ROTATION_NAMESPACE).ticks, universe.detector.historyBucket, logger)).endOf,
    logger,
    now,
  });
  const pipeline: Pipeline = new Pipeline({ env, universe, logger, source: o.stopAfterQuotes === undefined ? source : stoppingAfter(source, o.stopAfterQuotes, () => void pipeline.stop()), kafka, service: true });
  return { pipeline, source, done: pipeline.run() };
}

/** The source, with a stop requested once `n` quotes were handed to the publisher: a stop mid-backfill, at a known point. */
function stoppingAfter(source: IngestSource, n: number, stop: () => void): IngestSource {
  let quotes = 0;
  return {
    name: source.name,
    live: true,
    run: (sink, control) =>
      source.run(
        {
          ...sink,
          quote: (...a) => {
            if (++quotes === n) stop();
            return sink.quote(...a);
          },
          reject: (...a) => sink.reject(...a),
          event: (...a) => sink.event(...a),
          skip: (...a) => sink.skip(...a),
        },
        control,
      ),
    stop: () => source.stop(),
    progress: () => source.progress(),
    summary: () => source.summary?.() ?? {},
  };
}

export async function withDetector<T>(config: Config, logger: Logger, body: (d: DetectorHandle) => Promise<T>): Promise<T> {
  const det = await startDetector({ config, logger, httpPort: 0 });
  try {
    await det.joined;
    return await body(det);
  } finally {
    await det.stop();
  }
}

export async function snapshotOf(redis: Redis, ns: string): Promise<Snapshot | null> {
  const text = await redis.get(sharedKeys(ns).snapshot);
  return text === null ? null : (JSON.parse(text) as SnapshotRecord).snapshot;
}

/** Polls until `check` holds on the committed snapshot; returns the last one read either way. */
export async function snapshotUntil(redis: Redis, ns: string, check: (s: Snapshot | null) => boolean, timeoutMs = 90_000): Promise<Snapshot | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await snapshotOf(redis, ns);
    if (check(snap) || Date.now() > deadline) return snap;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function alertsOf(redis: Redis, ns: string): Promise<Alert[]> {
  const entries = await redis.xrange(sharedKeys(ns).alertHistory, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('a') + 1]!) as Alert);
}

export function kafkaFor(ns: string, logger: Logger): Kafka {
  return createKafka({ brokers: inject('kafkaBrokers').split(','), clientId: `test-${ns}`, logger });
}

export { dropNamespace } from '../support/fixtures.js';
