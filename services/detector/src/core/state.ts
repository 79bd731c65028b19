import type { CorporateActionKind, PrintReason } from '@rotation/schemas';
import type { AdState, ThrustState } from './breadth.js';
import type { RoleState } from './leadership.js';
import type { RegimeState } from './regime.js';
import type { RrgState } from './rrg.js';

/** One eligible print pending in a step bucket: [ts, tsNanos, price, id] (id "" when the provider has none). */
export type BucketTick = [number, number, number, string];

/**
 * A corporate action waiting for its ex-date session (`key` identifies it across re-sends).
 */
export interface PendingAction {
  key: string;
  /**
   * Applied at the first evaluated step after this event time: the ex-date session's open for
   * an action published before it, else the source's progress when it was published. Both are
   * below the action's lane watermark until the action is consumed, so every partitioning
   * applies it at the same step.
   */
  applyAt: number;
  symbol: string;
  action: CorporateActionKind;
  exDate: string;
  ratio?: number;
  amount?: number;
}

/** A symbol whose price jumped by a split-like ratio with no known action: its analytics are held. */
export interface Quarantine {
  /** Event time of the step the jump was seen at. */
  since: number;
  /** Trading step and session index of that step: history before them is on the old basis. */
  tradingStep: number;
  sessionIndex: number;
  /** The jump, new price / old price, and the split ratio it looks like (new shares per old). */
  move: number;
  ratio: number;
}

export interface PairState {
  /** Base prices of every member of both sides, set at the first step all have a price. */
  base: Record<string, number> | null;
  /** Trading step the base was set at: a corporate action restates it only when it predates the cut. */
  baseStep?: number;
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
  /** Regular-session prints whose conditions withhold the last sale (odd lots, ...), by reason. */
  ineligible: Partial<Record<PrintReason, number>>;
  /** Cancels and corrections applied within the lateness, and those that came too late. */
  cancels: number;
  corrections: number;
  lateCancels: number;
  lateCorrections: number;
  /** Corporate-action records taken (repeats included), those applied to the history, and quarantines raised. */
  actions: number;
  actionsApplied: number;
  quarantines: number;
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
  /**
   * Accepted regular-session prints not yet finalized: symbol -> step bucket -> its newest
   * prints, oldest first (a few are kept, so a cancel of the newest restores the one before).
   */
  pending: Record<string, Record<string, BucketTick[]>>;
  /** Session index of the first evaluated step: actions with an ex-date at or before it concern no kept history. */
  firstSession: number | null;
  /** Corporate actions waiting for their ex-date, and keys of those applied (bounded). */
  actions: { pending: PendingAction[]; applied: string[] };
  quarantine: Record<string, Quarantine>;
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
  /** Point history: event time of each track's newest recorded point (core/history.ts). */
  history: Record<string, number>;
}
