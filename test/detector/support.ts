/**
 * Shared pieces of the detector's integration tests: a small universe with 5-minute steps and
 * hourly bars (so RRG and z-scores warm up within a few days of data), a deterministic
 * multi-day tick set, and a reference run of the pure core over the same records.
 */
import type { Config, Env, Universe } from '@rotation/config';
import { Detector, MemoryStateStore, compileSettings, lanesForSymbols, processBatch, testUniverse, type InputRecord } from '@rotation/detector';
import type { Alert, SnapshotRecord } from '@rotation/schemas';

export const MIN = 60_000;
export const T0 = Date.UTC(2024, 2, 4, 0, 0);
export const DAYS = 4;

export function replayUniverse(): Universe {
  return testUniverse(
    {
      allowedLateness: '5m',
      historyBucket: '5m',
      sizeRegime: { window: '1d', enterPp: 1.5, exitPp: 0.5 },
      leadership: { marginPp: 1, dwell: '1h' },
      breadthThrust: { low: 40, high: 61.5, withinBars: 3, window: '1d' },
    },
    ['1h', '1d'],
  );
}

export function replayConfig(env: Env): Config {
  return { env, namespace: env.ROTATION_NAMESPACE, universe: replayUniverse(), universeFile: '(test)' };
}

export interface GenTick {
  symbol: string;
  price: number;
  ts: number;
}

const SYMBOLS = ['SPY', 'RSP', 'IWM', 'XLE', 'XLK', 'XLU', 'NVDA', 'MSFT'];

/**
 * Four days, one tick per symbol every 5 minutes (staggered by a second per symbol):
 * small caps rally 4% between day 1.5 and day 2.5 and give half back; energy leads in the
 * first half and technology in the second; the AI basket drifts up; the rest wobbles.
 */
export function generateTicks(): GenTick[] {
  const out: GenTick[] = [];
  const n = (DAYS * 24 * 60) / 5;
  for (let i = 0; i < n; i++) {
    const day = i / 288;
    const ramp = (a: number, b: number) => Math.min(1, Math.max(0, (day - a) / (b - a)));
    const price: Record<string, number> = {
      SPY: 400 * (1 + 0.002 * Math.sin(i / 30)),
      RSP: 150 * (1 + 0.002 * Math.sin(i / 25)),
      IWM: 200 * (1 + 0.04 * ramp(1.5, 2.5) - 0.02 * ramp(3, 3.5) + 0.001 * Math.sin(i / 7)),
      XLE: 80 * (1 + 0.03 * ramp(0, 1.5) - 0.03 * ramp(2, 3.5)),
      XLK: 150 * (1 + 0.04 * ramp(2, 3.5) + 0.003 * Math.sin(i / 11)),
      XLU: 60 * (1 + 0.004 * Math.sin(i / 17)),
      NVDA: 100 * (1 + 0.05 * ramp(0.5, 3)),
      MSFT: 300 * (1 + 0.01 * Math.sin(i / 40)),
    };
    SYMBOLS.forEach((symbol, j) => out.push({ symbol, price: Math.round(price[symbol]! * 100) / 100, ts: T0 + i * 5 * MIN + j * 1000 }));
  }
  return out;
}

export function tickJson(t: GenTick): string {
  return JSON.stringify({ v: 1, symbol: t.symbol, price: t.price, ts: t.ts, source: 'replay' });
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
}

/** Runs the pure core over the records each partition will hold, partition by partition. */
export async function referenceRun(records: readonly Produced[], partitions: number, topic: string) {
  const universe = replayUniverse();
  const settings = compileSettings(universe);
  const lanes = lanesForSymbols(settings.symbols, partitions, topic);
  const byLane = new Map<number, InputRecord[]>();
  for (const r of records) {
    const lane = lanesForSymbols([r.key], partitions, topic)[0]!;
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
  return { snapshot: store.snapshot as SnapshotRecord, history: store.history as Alert[], endOffsets, laneOf: (key: string) => lanesForSymbols([key], partitions, topic)[0]! };
}
