import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { connectRedis, createCommitRedis, createRedis } from '@rotation/redis';
import { DEFAULT_DETECTOR_HTTP_PORT, type Config } from '@rotation/config';
import { assertKafkaReachable, createConsumer, createKafka, setUpTopics, type Consumer, type EachBatchPayload, type Kafka } from '@rotation/kafka';
import { redactUrl, type Logger } from '@rotation/log';
import { topicNames } from '@rotation/schemas';
import { portsToTry, withDeadline, type StopOutcome } from '@rotation/service';
import { Detector } from '../core/detector.js';
import { DetectorError, DetectorErrorCode } from '../core/errors.js';
import { processBatch, processRuleBatch } from '../core/process-batch.js';
import { historyTracks } from '../core/history.js';
import { compileSettings, type CompiledSettings } from '../core/settings.js';
import { singleActiveAssigner } from './assigner.js';
import { createMetrics, startHttp, type Metrics } from './http.js';
import { lanesForSymbols } from './lanes.js';
import { Outbox } from './outbox.js';
import { detectorKeys } from './redis-keys.js';
import { RedisStateStore } from './redis-store.js';

export interface StartDetectorOptions {
  config: Config;
  logger: Logger;
  /** Overrides DETECTOR_HTTP_PORT (tests pass 0 for an ephemeral port, or null for none). */
  httpPort?: number | null;
  /** Instance name (defaults to DETECTOR_INSTANCE_ID or host:pid). */
  instanceId?: string;
  /** Called when the consumer crashed for good (main.ts exits so a supervisor restarts it). */
  onFatal?: (error: Error) => void;
}

export interface DetectorHandle {
  /**
   * Stops consuming, lets the in-flight batch commit, publishes the outbox, closes everything,
   * within DETECTOR_SHUTDOWN_TIMEOUT_MS (or `timeoutMs`). Past it (Redis or Kafka down) the
   * connections are dropped: what was not committed is consumed again from the stored offsets
   * by the next start, and committed alerts not yet on Kafka go out from the outbox then.
   */
  stop(timeoutMs?: number): Promise<StopOutcome>;
  /** Resolves once the instance has joined its consumer group. */
  readonly joined: Promise<void>;
  readonly metrics: Metrics;
  readonly httpPort: number | null;
  /** Whether this instance currently owns the ticks partitions. */
  readonly active: boolean;
  readonly settings: CompiledSettings;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wires Kafka, Redis, the detector core and the outbox; `main.ts` and the integration tests call this. */
export async function startDetector(options: StartDetectorOptions): Promise<DetectorHandle> {
  const { config, logger } = options;
  const env = config.env;
  const ns = config.namespace;
  const topics = topicNames(ns);
  const settings = compileSettings(config.universe);
  const keys = detectorKeys(ns);
  const instance = options.instanceId ?? env.DETECTOR_INSTANCE_ID ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ instance });
  const metrics = createMetrics();
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => log.warn({ err }, 'close failed'));
  };

  try {
    const kafka: Kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-detector`, logger: log });
    await assertKafkaReachable(kafka, env.KAFKA_BROKERS);
    const { ticksPartitions: partitions } = await setUpTopics(kafka, env, log);
    const lanes = lanesForSymbols(settings.symbols, partitions, topics.ticks);

    const redis = createRedis({ url: env.REDIS_URL, logger: log, connectionName: `${ns}-detector` });
    await connectRedis(redis, env.REDIS_URL);
    closers.push(async () => void (await redis.quit()));
    // Commits use a connection that never queues while offline: a stale EXEC must not replay.
    const commitConn = createCommitRedis({ url: env.REDIS_URL, logger: log, connectionName: `${ns}-detector-commit` });
    await connectRedis(commitConn, env.REDIS_URL);
    closers.push(async () => void (await commitConn.quit().catch(() => commitConn.disconnect())));

    const store = new RedisStateStore(commitConn, keys, settings.symbols, settings.ringLength, log, historyTracks(settings));
    await store.checkSettings(createHash('sha256').update(JSON.stringify(config.universe)).digest('hex'));
    // The history epoch is set once per namespace; the gateway compares it to detect a reset.
    await redis.set(keys.shared.alertEpoch, randomUUID(), 'NX');

    const outbox = new Outbox(kafka, redis, keys, { alerts: topics.alerts, snapshots: topics.snapshots, dlq: topics.ticksDlq }, log);
    closers.push(() => outbox.close());

    let detector: Detector | null = null;
    let offsets: Record<string, string> = {};
    let ruleOffsets: Record<string, string> = {};
    let active = false;
    let healthy = true;
    let lastError: string | null = null;
    let stopping = false;
    let fatal = false;
    let groupJoined = false;

    const loadState = async () => {
      await store.acquire();
      const loaded = await store.load();
      detector = new Detector({ settings, lanes, topic: topics.ticks, now: Date.now }, loaded ?? undefined);
      offsets = { ...(loaded?.offsets ?? {}) };
      ruleOffsets = { ...(loaded?.ruleOffsets ?? {}) };
      metrics.rules.set(detector.activeRules);
      log.info({ asOf: detector.asOf === null ? null : new Date(detector.asOf).toISOString(), offsets, lanes }, 'detector state loaded');
    };

    const consumer: Consumer = createConsumer(kafka, {
      groupId: `${ns}.detector`,
      logger: log,
      maxBytesPerPartition: env.DETECTOR_FETCH_MAX_BYTES,
      maxBytes: Math.max(env.DETECTOR_FETCH_MAX_BYTES * 4, 1024 * 1024),
      partitionAssigners: [singleActiveAssigner({ startedAt: Date.now(), instance })],
      onFatal: (err) => {
        log.fatal({ err }, 'consumer crashed for good');
        fatal = true;
        healthy = false;
        lastError = err.message;
        void handle.stop().finally(() => options.onFatal?.(err));
      },
    });

    let resolveJoined!: () => void;
    const joined = new Promise<void>((r) => (resolveJoined = r));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assigned = event.payload.memberAssignment[topics.ticks] ?? [];
      active = assigned.length > 0;
      metrics.active.set(active ? 1 : 0);
      // A new assignment may follow another instance's commits: reload before the next batch.
      detector = null;
      log.info({ assigned, active }, active ? 'active: owns the ticks partitions' : 'standby: nothing assigned');
      if (active) {
        // Anything committed but not yet on Kafka (a crash between EXEC and produce) goes out
        // first. Only the active instance publishes, so `alerts:published` only moves forward.
        void outbox.publish().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'outbox publish failed; retried shortly'));
        const seekTo = (topic: string, key: string, partitions: number[]) =>
          redis.hgetall(key).then(
            (stored) => {
              for (const p of partitions) {
                const offset = stored[String(p)];
                if (offset !== undefined) consumer.seek({ topic, partition: p, offset });
              }
            },
            (err: unknown) => log.warn({ err, topic }, 'could not read stored offsets; records before them are skipped on arrival'),
          );
        void seekTo(topics.ticks, keys.offsets, assigned);
        void seekTo(topics.rules, keys.ruleOffsets, event.payload.memberAssignment[topics.rules] ?? []);
      }
      groupJoined = true;
      resolveJoined();
    });

    const commitWithRetry = async (request: Parameters<RedisStateStore['commit']>[0], payload: EachBatchPayload) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const done = await store.commit(request);
          healthy = true;
          lastError = null;
          return done;
        } catch (err) {
          if (err instanceof DetectorError && (err.code === DetectorErrorCode.fenced || err.code === DetectorErrorCode.stateCorrupt)) throw err;
          metrics.commitFailures.inc();
          healthy = false;
          lastError = (err as Error).message;
          if (attempt === 0 || attempt % 20 === 0) log.warn({ err: (err as Error).message, attempt }, 'commit failed; retrying the same batch (nothing advances until it lands)');
          if (!payload.isRunning() || payload.isStale()) throw new DetectorError(DetectorErrorCode.stopped, 'stopped while the commit was failing', {}, { cause: err });
          await sleep(Math.min(100 * 2 ** Math.min(attempt, 4), 1_000));
          await payload.heartbeat().catch(() => undefined);
        }
      }
    };

    /** A batch of rule changes: taken, committed with the state, no step evaluated. */
    const rulesBatch = async (det: Detector, payload: EachBatchPayload) => {
      const { batch } = payload;
      const out = processRuleBatch(det, batch.messages.map((m) => ({ lane: batch.partition, offset: m.offset, value: m.value })), ruleOffsets);
      await commitWithRetry(out.request, payload);
      metrics.commits.inc();
      for (const c of out.changes) {
        if (c.kind === 'applied') log.info({ rule: c.id }, 'rule change taken');
        else if (c.kind !== 'stale') log.warn({ rule: c.id, why: c.message }, c.kind === 'inert' ? 'rule kept inert: the universe cannot evaluate it' : 'rule record skipped: not a RuleRecord');
      }
      metrics.rules.set(det.activeRules);
      const last = batch.messages[batch.messages.length - 1]!.offset;
      payload.resolveOffset(last);
      await consumer
        .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }])
        .catch((err: unknown) => log.debug({ err }, 'kafka offset commit failed (Redis holds the truth)'));
    };

    let lastOffsetCommit: Promise<void> = Promise.resolve();
    await consumer.connect();
    closers.push(async () => void (await consumer.disconnect()));
    await consumer.subscribe({ topics: [topics.ticks, topics.rules], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
        const end = metrics.batchSeconds.startTimer();
        try {
          if (detector === null) await loadState();
          const det = detector!;
          if (batch.topic === topics.rules) return await rulesBatch(det, payload);
          const processEnd = metrics.batchPhase.startTimer({ phase: 'process' });
          const out = processBatch(
            det,
            batch.messages.map((m) => ({ lane: batch.partition, offset: m.offset, value: m.value })),
            offsets,
          );
          processEnd();
          // A big batch on a busy machine can take seconds: tell the coordinator we are alive.
          await payload.heartbeat();
          await outbox.deadLetters(out.deadLetters);
          const commitEnd = metrics.batchPhase.startTimer({ phase: 'commit' });
          await commitWithRetry(out.request, payload);
          commitEnd();
          metrics.commits.inc();
          metrics.steps.inc(out.steps);
          for (const [outcome, n] of Object.entries(out.outcomes)) if (n > 0) metrics.records.inc({ outcome }, n);
          for (const [reason, n] of Object.entries(out.ineligible)) metrics.ineligible.inc({ reason }, n);
          for (const d of out.deadLetters) metrics.deadLetters.inc({ reason: d.reason });
          for (const n of out.notices) {
            metrics.notices.inc({ kind: n.kind });
            log.warn({ symbol: n.symbol, kind: n.kind, at: new Date(n.t).toISOString() }, n.message);
          }
          metrics.quarantined.set(Object.keys(det.state.quarantine).length);
          for (const a of out.request.alerts) metrics.alerts.inc({ kind: a.kind });
          if (det.asOf !== null) metrics.asOf.set(det.asOf / 1000);
          const newest = batch.messages[batch.messages.length - 1]!;
          metrics.eventToCommit.observe(Math.max(0, Date.now() - Number(newest.timestamp)) / 1000);
          const last = newest.offset;
          payload.resolveOffset(last);
          // Not awaited: the next batch's analysis overlaps the produce (acks=all). The outbox
          // reads what to send from Redis (committed above), runs one publish at a time and
          // folds calls made meanwhile into one more run; a failure is retried by the timer, the
          // next batch, stop() or the next start.
          const publishEnd = metrics.batchPhase.startTimer({ phase: 'publish' });
          void outbox.publish().then(
            () => void publishEnd(),
            (err: unknown) => log.warn({ err: (err as Error).message }, 'outbox publish failed; retried with the next batch'),
          );
          // Not awaited: Redis holds the offsets that count (a join seeks to them), the group's
          // are a hint for lag tooling. Awaiting it put a Kafka round trip on every batch's path,
          // ahead of the next batch of the same fetch. A stop awaits the last one.
          lastOffsetCommit = consumer
            .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }])
            .catch((err: unknown) => log.debug({ err }, 'kafka offset commit failed (Redis holds the truth)'));
        } catch (err) {
          // Memory may be ahead of Redis now: forget it and reload before the next batch.
          detector = null;
          if (!(err instanceof DetectorError && err.code === DetectorErrorCode.stopped)) log.error({ err }, 'batch failed; it will be consumed again');
          throw err;
        } finally {
          end();
        }
      },
    });

    // Retries a publish that failed (broker outage) even when no new batch arrives.
    const retryTimer = setInterval(() => {
      if (active && !stopping) void outbox.publish().catch(() => undefined);
    }, 2_000);
    retryTimer.unref();
    closers.push(async () => clearInterval(retryTimer));

    let server: Server | null = null;
    // options.httpPort: tests' port (0 = ephemeral) or null for none; DETECTOR_HTTP_PORT 0 = off.
    const ports =
      options.httpPort !== undefined
        ? options.httpPort === null ? [] : [options.httpPort]
        : env.DETECTOR_HTTP_PORT === 0 ? [] : portsToTry(env.DETECTOR_HTTP_PORT, DEFAULT_DETECTOR_HTTP_PORT);
    if (ports.length > 0) {
      // Not ready while the last commit failed or the commit connection is down (a Redis outage
      // is visible here even when no ticks arrive).
      server = await startHttp(ports, metrics, () => ({
        live: !fatal,
        ready: !fatal && !stopping && groupJoined && healthy && commitConn.status === 'ready',
        detail: { active, instance, redis: commitConn.status, lastError },
      }));
      closers.push(() => new Promise<void>((r) => server!.close(() => r())));
    }
    const address = server?.address();
    log.info({ namespace: ns, lanes, partitions, httpPort: typeof address === 'object' && address ? address.port : null, redis: redactUrl(env.REDIS_URL) }, 'detector started');

    let stopped: Promise<StopOutcome> | null = null;
    const graceful = async () => {
      // consumer.stop() waits for the in-flight batch, which commits before it returns.
      await consumer.stop().catch((err: unknown) => log.warn({ err }, 'consumer stop failed'));
      await lastOffsetCommit;
      await outbox.publish().catch((err: unknown) => log.warn({ err }, 'final publish failed; the next start republishes'));
      await closeAll();
    };
    // Dropping both Redis connections fails every queued or retried command at once, which
    // ends a commit retry loop, an outbox read and a quit() that an outage would hold forever.
    const abandon = () => {
      redis.disconnect();
      commitConn.disconnect();
      server?.closeAllConnections();
      server?.close();
      void consumer.disconnect().catch(() => undefined);
      void outbox.close().catch(() => undefined);
    };
    const handle: DetectorHandle = {
      stop(timeoutMs = env.DETECTOR_SHUTDOWN_TIMEOUT_MS) {
        stopped ??= (async () => {
          stopping = true;
          const outcome = await withDeadline(graceful(), timeoutMs);
          if (outcome === 'deadline') {
            log.warn({ timeoutMs, redis: commitConn.status }, 'shutdown deadline reached: connections dropped; the next start consumes again from the stored offsets and republishes the outbox');
            abandon();
          }
          log.info({ outcome }, 'detector stopped');
          return outcome;
        })();
        return stopped;
      },
      joined,
      metrics,
      get httpPort() {
        const a = server?.address();
        return typeof a === 'object' && a ? a.port : null;
      },
      get active() {
        return active;
      },
      settings,
    };
    return handle;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
