import type { AdState, ThrustState } from './breadth.js';
import type { RoleState } from './leadership.js';
import type { RegimeState } from './regime.js';
import type { RrgState } from './rrg.js';

/** The newest tick of one symbol within one step bucket: [ts, tsNanos, price]. */
export type BucketTick = [number, number, number];

export interface PairState {
  /** Base prices of every member of both sides, set at the first step all have a price. */
  base: Record<string, number> | null;
  /** Per window: the spread (pp) at the last `lookbackBars` session closes. */
  z: Record<string, number[]>;
  /** Per window: whether a |z| crossing may alert again. */
  zArmed: Record<string, boolean>;
  regime: RegimeState;
}

export interface SectorWindowState {
  leader: RoleState;
  laggard: RoleState;
  /** Ranking (symbols best first) at the last session close, for rotation intensity. */
  barRanking: string[] | null;
}

/**
 * Closes at the last session bars, oldest first: `sessions[i]` is the calendar's session
 * index of bar i and `closes[symbol][i]` the symbol's regular-session close then (null when
 * it had no price yet). Session and calendar windows take their reference close from here.
 */
export interface SessionBars {
  sessions: number[];
  closes: Record<string, Array<number | null>>;
}

export interface Counters {
  accepted: number;
  late: number;
  rejected: number;
  /** Evaluated in-session steps. */
  steps: number;
  /** Valid prints outside the regular session: kept on the topic, never move a close. */
  extendedHours: number;
  /** Valid prints while the exchange is closed (weekends, holidays, the night). */
  marketClosed: number;
}

/**
 * Everything the detector remembers besides the per-symbol close rings: small (kilobytes),
 * plain JSON, rewritten whole with every commit. Doubles survive JSON exactly, so a restored
 * detector continues bit for bit where the committed one stopped.
 */
export interface CoreState {
  v: 2;
  /** Index of the last finalized event-time step (its boundary is step * stepMs), or null. */
  step: number | null;
  /** Count of evaluated in-session steps: the clock of trading time and of the close rings. */
  tradingStep: number | null;
  /** Event time of the last evaluated (in-session) step: the snapshot's asOf. */
  evaluatedAt: number | null;
  /** Newest source event time seen per lane (ticks partition), the base of its watermark. */
  lanes: Record<string, number>;
  /** Accepted regular-session ticks not yet finalized: symbol -> step bucket -> newest tick. */
  pending: Record<string, Record<string, BucketTick>>;
  /** Whether any regular-session tick landed in the session now open; a session without one makes no bar. */
  barActive: boolean;
  /** Session bars closed so far: the clock of dwell for windows of a session or more. */
  barCount: number;
  bars: SessionBars;
  pairs: Record<string, PairState>;
  sectors: Record<string, SectorWindowState>;
  rrg: Record<string, RrgState>;
  thrust: ThrustState;
  ad: AdState;
  counters: Counters;
}
