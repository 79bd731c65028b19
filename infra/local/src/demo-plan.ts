/**
 * The demo feed of `pnpm start`: which `ingest synthetic` runs to start. A fresh pipeline first
 * gets a quick, quiet history (the RRG and z-scores need weeks of daily bars before they show
 * anything), then the small-cap rotation plays at a pace where the page moves every second.
 * After a restart the feed continues from the detector's last event time, because ticks older
 * than what the detector has seen would be dropped as late. Every run continues the ticks topic
 * (`--continue`): it starts after the topic's newest tick, from each symbol's last price there, so
 * neither a restart nor the warm-up -> rotation switch moves a price; a switch changes drifts.
 */
import { getCalendar } from '@rotation/calendar';
export interface DemoOptions {
  /** Event time the detector has reached (snapshot asOf), or null on a fresh pipeline. */
  asOfMs: number | null;
  /** Event-time seconds played per wall-clock second. */
  speed: number;
  /** Event time covered by the warm-up; 0 skips it. */
  warmupMs: number;
  /** Event-time length of one rotation cycle (quiet fifth, then the rotation); the feed loops. */
  cycleMs: number;
  seed: number;
}

export const DEMO_DEFAULTS = {
  /** One wall second = one market hour: 5m and 1h spreads move every second, a daily RRG bar closes every 24 s. */
  speed: 3_600,
  /** 70 days: enough daily bars for the RRG (~30) and the 63-bar spread z-score. */
  warmupMs: 70 * 86_400_000,
  /** 14 days: about six minutes per cycle at the default speed. */
  cycleMs: 14 * 86_400_000,
  seed: 42,
} as const;

/** Where a fresh demo starts in event time: a Tuesday market open. */
export const DEMO_EPOCH_MS = Date.parse('2024-01-02T14:30:00Z');

/**
 * Ticks per event-time second across the universe (25 symbols). The warm-up only needs daily
 * closes, so it is sparse (a tick per symbol every ~80 min, 30k ticks for 70 days); the paced part
 * gives each symbol a tick every ~7 min of market time, ~220 ticks/s of wall time at the default
 * speed, which a two-core laptop runs alongside Kafka without the detector falling behind.
 */
const WARMUP_RATE = 0.005;
/**
 * The scenario's drifts are written to show a rotation within two days of a test; the demo
 * plays a quarter of them: small caps gain about 0.5 pp a session on large caps, 7-day spreads
 * of a few points, as in real rotations (July 2024's was a record at about 10 pp in a week).
 */
export const DEMO_DRIFT_SCALE = 0.25;
const PACED_RATE = 0.06;
const MINUTE = 60_000;

export interface DemoPlan {
  warmup?: { args: string[]; fromMs: number; toMs: number };
  paced: { args: string[]; fromMs: number };
}

const XNYS = getCalendar('XNYS');

/**
 * Synthetic durations count trading time (the generator skips nights, weekends and holidays):
 * the plan speaks event time, so a span of it is handed over as the trading time it contains.
 */
function tradingMinutes(fromMs: number, toMs: number): string {
  return `${Math.max(1, Math.round(XNYS.tradingMsBetween(fromMs, toMs) / MINUTE))}m`;
}

export function demoPlan(o: DemoOptions): DemoPlan {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (o.asOfMs !== null) {
    // Continue on the next minute after the detector's clock.
    const fromMs = Math.floor(o.asOfMs / MINUTE) * MINUTE + MINUTE;
    return { paced: { fromMs, args: paced(iso(fromMs), o) } };
  }
  if (o.warmupMs <= 0) return { paced: { fromMs: DEMO_EPOCH_MS, args: paced(iso(DEMO_EPOCH_MS), o) } };
  const toMs = DEMO_EPOCH_MS + o.warmupMs;
  return {
    warmup: {
      fromMs: DEMO_EPOCH_MS,
      toMs,
      // "choppy": no persistent rotation, so the rotation that follows is news on the page.
      args: ['synthetic', '--scenario', 'choppy', '--seed', String(o.seed + 1), '--start', iso(DEMO_EPOCH_MS), '--duration', tradingMinutes(DEMO_EPOCH_MS, toMs), '--rate', String(WARMUP_RATE), '--speed', 'max', '--continue'],
    },
    paced: { fromMs: toMs, args: paced(iso(toMs), o) },
  };
}

function paced(startIso: string, o: DemoOptions): string[] {
  const from = Date.parse(startIso);
  return [
    'synthetic', '--scenario', 'small-cap-rotation', '--seed', String(o.seed), '--start', startIso, '--duration', tradingMinutes(from, from + o.cycleMs),
    '--rate', String(PACED_RATE), '--speed', String(o.speed), '--loop', '--continue', '--drift-scale', String(DEMO_DRIFT_SCALE),
  ];
}

/** "1 s of wall time = 1 h of market time". */
export function describeSpeed(speed: number): string {
  const perSecond = speed * 1000;
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [ms, unit] of units) if (perSecond >= ms) return `1 s of wall time = ${+(perSecond / ms).toFixed(1)} ${unit} of market time`;
  return `1 s of wall time = ${perSecond} ms of market time`;
}
