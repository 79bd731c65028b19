/**
 * Pipeline-level helpers: feed a namespace with a deterministic multi-session tick set, run
 * detectors, wait for them to catch up, and reduce the Redis state to what must be equal
 * between an interrupted and an uninterrupted run.
 */
import { DEFAULT_UNIVERSE_FILE, loadUniverseFile, parseDuration } from '@rotation/config';
import type { Kafka } from '@rotation/kafka';
import type { Redis } from '@rotation/redis';
import { sharedKeys } from '@rotation/redis';
import { topicNames } from '@rotation/schemas';
import { SyntheticGenerator, type SyntheticTick } from '@rotation/ingester';
import type { ScenarioName } from '@rotation/ingester';
import { dumpNamespace, endOffsets, readAlertHistory } from './read.js';
import { spawnService, waitUntil, type ServiceProcess } from './services.js';

export interface TickSet {
  scenario: ScenarioName;
  seed: number;
  /** Trading time covered: the synthetic source counts regular-session time only (390m = one session). */
  duration: string;
  /** Ticks per second of trading time across the universe. */
  rate: number;
  /** Replay pace (`--speed`): max by default, or a factor of event time. */
  speed?: string;
}

/** Where every synthetic run starts (the source's default, the 2024-01-02 open), so the spans below are the runs'. */
const START = '2024-01-02T14:30:00Z';

/**
 * Ten sessions of small-cap rotation (2024-01-02 to 01-16, Martin Luther King Day closed) at one
 * tick per 10 s of trading time: 23,400 ticks, all inside regular sessions, enough for session
 * bars, the 7d size regime and alerts, small enough for a two-core CI machine.
 */
export const MULTI_DAY: Omit<TickSet, 'seed'> = { scenario: 'small-cap-rotation', duration: `${10 * 390}m`, rate: 0.1 };

/** The generator the ingester will run for `set` (the shipped universe, as the services load it). */
function generatorFor(set: Omit<TickSet, 'seed'>): SyntheticGenerator {
  const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
  return new SyntheticGenerator({ universe, scenario: set.scenario, seed: 1, startMs: Date.parse(START), durationMs: parseDuration(set.duration), ratePerSec: set.rate });
}

/** Ticks the ingester publishes for `set`, as the generator counts them (the seed does not change the count). */
export function expectedTicks(set: Omit<TickSet, 'seed'>): number {
  return generatorFor(set).total;
}

/** Event time of the set's first and last tick. */
export function tickSpan(set: Omit<TickSet, 'seed'>): { first: number; last: number } {
  const g = generatorFor(set);
  const t: SyntheticTick = { symbol: '', price: 0, size: 0, ts: 0 };
  let first: number | undefined;
  let last = 0;
  while (g.next(t)) {
    first ??= t.ts;
    last = t.ts;
  }
  return { first: first ?? last, last };
}

/**
 * The `--speed` factor that replays the set in about `seconds` of wall time. Paced runs follow
 * event time and so wait out nights and weekends, which the span from first to last tick includes.
 */
export function paceOver(set: Omit<TickSet, 'seed'>, seconds: number): string {
  const { first, last } = tickSpan(set);
  return String(Math.ceil((last - first) / 1000 / seconds));
}

export function startIngest(env: Record<string, string>, set: TickSet, label = 'ingester'): ServiceProcess {
  const args = ['synthetic', '--scenario', set.scenario, '--seed', String(set.seed), '--start', START, '--duration', set.duration, '--rate', String(set.rate)];
  return spawnService('ingester', [...args, '--speed', set.speed ?? 'max', '--json'], { env, label });
}

/** Runs the ingester to its end and returns its summary (exit 0 asserted by the caller's expectations). */
export async function ingestAll(env: Record<string, string>, set: TickSet, label?: string): Promise<{ published: number; code: number | null }> {
  const p = startIngest(env, set, label);
  const exit = await p.exited;
  const out = p.stdout().trim().split('\n').pop() ?? '';
  let published = -1;
  try {
    published = (JSON.parse(out) as { published: number }).published;
  } catch {
    throw new Error(`ingester printed no summary (exit ${exit.code ?? exit.signal}); stderr tail:\n${p.logs.slice(-10).map((l) => l.text).join('\n')}`);
  }
  return { published, code: exit.code };
}

export function startDetector(env: Record<string, string>, label = 'detector', extra: Record<string, string> = {}): ServiceProcess {
  return spawnService('detector', [], { env: { ...env, ...extra }, label });
}

/** Records the detector has committed (sum of the stored next offsets). */
export async function committedRecords(redis: Redis, ns: string): Promise<number> {
  const offsets = await redis.hgetall(`${ns}:detector:offsets`);
  return Object.values(offsets).reduce((n, o) => n + Number(o), 0);
}

/**
 * Waits until the detector has committed every record of the ticks topic and published every
 * alert of its history to Kafka (the outbox position reached the last seq).
 */
export async function waitForDetectorDone(kafka: Kafka, redis: Redis, ns: string, totalTicks: number, timeoutMs = 240_000): Promise<void> {
  const keys = sharedKeys(ns);
  let seen = 'nothing yet';
  try {
    await waitUntil(
      `detector of ${ns} to commit ${totalTicks} ticks and publish its alerts`,
      async () => {
        const ends = await endOffsets(kafka, topicNames(ns).ticks);
        const end = [...ends.values()].reduce((n, o) => n + Number(o), 0);
        const committed = await committedRecords(redis, ns);
        const [seq, published] = await redis.mget(keys.alertSeq, keys.alertPublished);
        seen = `topic end ${end}, committed ${committed} (${JSON.stringify(await redis.hgetall(`${ns}:detector:offsets`))}), alerts seq ${seq}, published ${published}`;
        return end >= totalTicks && committed >= end && Number(seq ?? 0) === Number(published ?? 0);
      },
      timeoutMs,
      250,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last seen: ${seen}`, { cause: e });
  }
}

/**
 * Keys whose value legitimately depends on how the run went rather than on the input: the
 * fencing token and commit counter (one per start / per batch), the snapshot version (one per
 * committed batch), the history epoch (random per namespace), the settings fingerprint's key
 * is kept (it must match).
 */
const VOLATILE = ['detector:fence', 'detector:commit', 'detector:version', 'alerts:epoch'];

/** The namespace's Redis content with the namespace prefix removed and volatile parts dropped. */
export async function comparableState(redis: Redis, ns: string): Promise<Record<string, unknown>> {
  const raw = await dumpNamespace(redis, ns, (k) => VOLATILE.some((v) => k === `${ns}:${v}`));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = k.slice(ns.length + 1);
    if (key === 'snapshot' && typeof v === 'string') out[key] = (JSON.parse(v) as { snapshot: unknown }).snapshot;
    else if (key === 'detector:state' && typeof v === 'string') out[key] = JSON.parse(v);
    else out[key] = v;
  }
  return out;
}

export async function alertIds(redis: Redis, ns: string): Promise<string[]> {
  return (await readAlertHistory(redis, ns)).map((a) => a.id);
}
