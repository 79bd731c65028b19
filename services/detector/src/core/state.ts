import type { AdState, ThrustState } from './breadth.js';
import type { RoleState } from './leadership.js';
import type { SizeRegime } from './regime.js';
import type { RrgState } from './rrg.js';

/** The newest tick of one symbol within one step bucket: [ts, tsNanos, price]. */
export type BucketTick = [number, number, number];

export interface PairState {
  /** Base prices of every member of both sides, set at the first step all have a price. */
  base: Record<string, number> | null;
  /** Per window: the spread (pp) at the last `lookbackBars` bar closes. */
  z: Record<string, number[]>;
  /** Per window: whether a |z| crossing may alert again. */
  zArmed: Record<string, boolean>;
  regime: SizeRegime;
}

export interface SectorWindowState {
  leader: RoleState;
  laggard: RoleState;
  /** Ranking (symbols best first) at the last closed bar, for rotation intensity. */
  barRanking: string[] | null;
}

/**
 * Everything the detector remembers besides the per-symbol close rings: small (kilobytes),
 * plain JSON, rewritten whole with every commit. Doubles survive JSON exactly, so a restored
 * detector continues bit for bit where the committed one stopped.
 */
export interface CoreState {
  v: 1;
  /** Index of the last finalized evaluation step (its boundary is step * stepMs), or null. */
  step: number | null;
  /** Newest event time seen per lane (ticks partition), the base of its watermark. */
  lanes: Record<string, number>;
  /** Accepted ticks not yet finalized: symbol -> step bucket -> newest tick. */
  pending: Record<string, Record<string, BucketTick>>;
  /** Whether any tick landed in the bar now open; bars without trades (nights, weekends) are skipped. */
  barActive: boolean;
  pairs: Record<string, PairState>;
  sectors: Record<string, SectorWindowState>;
  rrg: Record<string, RrgState>;
  thrust: ThrustState;
  ad: AdState;
  counters: { accepted: number; late: number; rejected: number; steps: number };
}
