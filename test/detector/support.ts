/**
 * Shared pieces of the detector's integration tests: a small universe with 5-minute steps,
 * session bars and short spans (so RRG and z-scores warm up within two weeks of sessions), a
 * deterministic tick set inside XNYS regular sessions only, and a reference run of the pure
 * core over the same records.
 */
import { getCalendar, type Session } from '@rotation/calendar';
import type { Config, Env, Universe } from '@rotation/config';
import { Detector, MemoryStateStore, compileSettings, lanesForSymbols, processBatch, testUniverse, type InputRecord } from '@rotation/detector';
import type { Alert, SnapshotRecord } from '@rotation/schemas';

export const MIN = 60_000;
/** Evaluation step of the replay universe (historyBucket). */
export const STEP = 5 * MIN;
/** Ten sessions from Monday 2024-03-04: two weeks across the 2024-03-10 change to EDT. */
export const FIRST_SESSION = '2024-03-04';
export const SESSIONS = 10;

export function replayUniverse(): Universe {
  return testUniverse(
    {
      allowedLateness: '5m',
      historyBucket: '5m',
      // Five closes: the smallest lookback the config allows, so a z-score exists by the end.
      spreadZScore: { lookbackBars: 5, threshold: 2 },
      // Two closes in a row, so the dwell is exercised (one close over the threshold is not enough).
      sizeRegime: { window: '1d', enterPp: 1.5, exitPp: 0.5, dwellBars: 2 },
      leadership: { marginPp: 1, dwell: '1h', dwellBars: 1 },
      // Warm after trend + smoothing = 5 session bars: half way through the data.
      rrg: { bars: 'session', trend: 3, smoothing: 2, momentum: 3, deadBand: 0.05, tailLength: 3 },
      breadthThrust: { low: 40, high: 61.5, withinBars: 3, window: '1d' },
    },
    ['1h', '1d', '7d'],
  );
}

export function replayConfig(env: Env): Config {
  return { env, namespace: env.ROTATION_NAMESPACE, universe: replayUniverse(), universeFile: '(test)' };
}

/** The exchange calendar the replay universe names (the default, XNYS). */
export const XNYS = getCalendar(replayUniverse().calendar);

/** The sessions the tick set covers, oldest first. */
export function replaySessions(): Session[] {
  const out: Session[] = [XNYS.sessionOn(FIRST_SESSION)!];
  while (out.length < SESSIONS) out.push(XNYS.next(out.at(-1)!)!);
  return out;
}

export interface GenTick {
  symbol: string;
  price: number;
  ts: number;
}

const SYMBOLS = ['SPY', 'RSP', 'IWM', 'XLE', 'XLK', 'XLU', 'NVDA', 'MSFT'];

/**
 * One tick per symbol every 5 minutes of each regular session, none outside: at the step
 * boundaries open + 5 min ... close, symbol j stamped j seconds before the boundary (so SPY
 * prints at exactly 16:00:00.000, which is the close, and nobody at 09:30:00.000, which is
 * pre-market). `day` runs over sessions (session d spans d..d+1), so the story is told in
 * sessions, not wall-clock days: energy rises sessions 0-2 and falls back in 5-7; technology
 * rises from session 5 to the end; small caps rally 4 % over sessions 2-3 and give half back
 * over 6-8; the AI basket drifts up; the rest wobbles.
 */
export function generateTicks(): GenTick[] {
  const out: GenTick[] = [];
  let k = 0;
  replaySessions().forEach((session, d) => {
    const steps = (session.close - session.open) / STEP;
    for (let i = 1; i <= steps; i++, k++) {
      const day = d + i / steps;
      const ramp = (a: number, b: number) => Math.min(1, Math.max(0, (day - a) / (b - a)));
      const price: Record<string, number> = {
        SPY: 400 * (1 + 0.002 * Math.sin(k / 30)),
        RSP: 150 * (1 + 0.002 * Math.sin(k / 25)),
        IWM: 200 * (1 + 0.04 * ramp(2, 4) - 0.02 * ramp(6, 9) + 0.001 * Math.sin(k / 7)),
        XLE: 80 * (1 + 0.03 * ramp(0, 3) - 0.03 * ramp(5, 8)),
        XLK: 150 * (1 + 0.05 * ramp(5, 10) + 0.002 * Math.sin(k / 11)),
        XLU: 60 * (1 + 0.002 * Math.sin(k / 17)),
        NVDA: 100 * (1 + 0.05 * ramp(0.5, 8)),
        MSFT: 300 * (1 + 0.01 * Math.sin(k / 40)),
      };
      const boundary = session.open + i * STEP;
      SYMBOLS.forEach((symbol, j) => out.push({ symbol, price: Math.round(price[symbol]! * 100) / 100, ts: boundary - j * 1000 }));
    }
  });
  return out;
}

export function tickJson(t: GenTick): string {
  return JSON.stringify({ v: 1, symbol: t.symbol, price: t.price, ts: t.ts, source: 'replay' });
}

/** The end-of-stream record a finite source sends to every ticks partition after its last tick. */
export function endOfStreamJson(newestTs: number): string {
  return JSON.stringify({ v: 1, watermark: newestTs, source: 'replay', final: true });
}

/** The last generated price at or before t: computed from the tick list, not by the detector. */
export function priceAt(ticks: readonly GenTick[], symbol: string, t: number): number {
  let p = NaN;
  for (const x of ticks) if (x.symbol === symbol && x.ts <= t) p = x.price;
  return p;
}

export interface Produced {
  key: string;
  value: string;
  /** An explicit ticks partition (watermark records go to each); otherwise the key decides. */
  partition?: number;
}

/** Runs the pure core over the records each partition will hold, partition by partition. */
export async function referenceRun(records: readonly Produced[], partitions: number, topic: string) {
  const universe = replayUniverse();
  const settings = compileSettings(universe);
  const lanes = lanesForSymbols(settings.symbols, partitions, topic);
  const laneOf = (key: string) => lanesForSymbols([key], partitions, topic)[0]!;
  const byLane = new Map<number, InputRecord[]>();
  for (const r of records) {
    const lane = r.partition ?? laneOf(r.key);
    const list = byLane.get(lane) ?? [];
    list.push({ lane, offset: String(list.length), value: r.value });
    byLane.set(lane, list);
  }
  const detector = new Detector({ settings, lanes, topic, now: () => 0 });
  const store = new MemoryStateStore(settings.ringLength);
  const offsets: Record<string, string> = {};
  // Round-robin chunks of each lane: the interleaving does not matter, which the unit tests prove.
  const cursors = new Map([...byLane.keys()].map((l) => [l, 0]));
  for (;;) {
    let any = false;
    for (const [lane, list] of byLane) {
      const at = cursors.get(lane)!;
      if (at >= list.length) continue;
      any = true;
      await store.commit(processBatch(detector, list.slice(at, at + 250), offsets).request);
      cursors.set(lane, at + 250);
    }
    if (!any) break;
  }
  const endOffsets = Object.fromEntries([...byLane].map(([lane, list]) => [String(lane), String(list.length)]));
  return { snapshot: store.snapshot as SnapshotRecord, history: store.history as Alert[], counters: detector.state.counters, endOffsets, laneOf };
}
