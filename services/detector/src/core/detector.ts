import type { Session } from '@rotation/calendar';
import type { DeadLetter, Snapshot, Tick, TradeCancel, TradeCorrection } from '@rotation/schemas';
import { ActionBook } from './action-book.js';
import type { AlertDraft } from './alerts.js';
import { emptyAd, emptyThrust } from './breadth.js';
import { DetectorError, DetectorErrorCode } from './errors.js';
import { evaluateStep, type Evaluation, type StepContext } from './evaluation.js';
import { MarketPrices } from './market-prices.js';
import type { OperatorNotice } from './corporate-actions.js';
import { PendingPrints, upgradePending } from './pending-prints.js';
import { closeSession } from './session-close.js';
import { emptyBars } from './session-bars.js';
import type { CompiledSettings } from './settings.js';
import { projectRrgEntry, projectSnapshot, projectWindowEntry } from './snapshot.js';
import { HistoryRecorder, RRG_TRACK, historyTracks, type HistoryWrite } from './history.js';
import type { CoreState } from './state.js';
import { decodeTick, deadLetter, type InputRecord } from './tick-input.js';
import { RuleBook, type RuleChange, type RuleEntry, type StoredRule } from './rules/book.js';
import type { RunState } from './rules/machine.js';

export interface DetectorOptions {
  settings: CompiledSettings;
  /** Lanes (ticks partitions) that carry universe symbols: the watermark waits for each. */
  lanes: readonly number[];
  /** Name of the input topic, for dead-letter origins. */
  topic: string;
  /** Wall clock, only for the `at` of dead letters. */
  now: () => number;
}

export interface Persisted {
  state: CoreState;
  /** In-session step closes per symbol, oldest first, ending at state.tradingStep. */
  closes: Record<string, number[]>;
  /** Users' alert rules with their run states (absent: none). */
  rules?: Record<string, RuleEntry>;
}

/** What a batch changed in the rules: records and run states to store, and the latest firing per rule. */
export interface RuleChanges {
  records: Record<string, StoredRule>;
  runs: Record<string, RunState>;
  fired: Record<string, { eventTime: string; alertId: string; message: string }>;
}

export function emptyState(): CoreState {
  return {
    v: 2,
    step: null,
    tradingStep: null,
    evaluatedAt: null,
    lanes: {},
    pending: {},
    firstSession: null,
    actions: { pending: [], applied: [] },
    quarantine: {},
    barActive: false,
    barCount: 0,
    bars: emptyBars(),
    pairs: {},
    sectors: {},
    rrg: {},
    thrust: emptyThrust(),
    ad: emptyAd(),
    counters: emptyCounters(),
    history: {},
  };
}

function emptyCounters(): CoreState['counters'] {
  return { accepted: 0, late: 0, rejected: 0, steps: 0, extendedHours: 0, marketClosed: 0, ineligible: {}, cancels: 0, corrections: 0, lateCancels: 0, lateCorrections: 0, actions: 0, actionsApplied: 0, quarantines: 0 };
}

/**
 * A state stored before prints carried eligibility: the same version (its meaning did not
 * change), with the fields added since filled in, so a running detector upgrades in place.
 */
function upgradeState(state: CoreState): CoreState {
  state.pending = upgradePending(state.pending as Record<string, Record<string, unknown>>);
  state.firstSession ??= null;
  state.actions ??= { pending: [], applied: [] };
  state.quarantine ??= {};
  state.counters = { ...emptyCounters(), ...state.counters };
  state.history ??= {};
  return state;
}

/**
 * The detector's processing step, pure and synchronous: `offer` applies one input record,
 * `advance` evaluates every event-time step that all lanes' watermarks have passed.
 *
 * Why steps and watermarks: cross-symbol results (spreads, rankings, RRG) must not depend on
 * how records of different partitions interleave on arrival, or a restart, a rebalance or a
 * second instance would compute something else. A step boundary T is evaluated once T is
 * below every lane's watermark, i.e. when no tick at or before T can still be accepted, so its
 * inputs are final and the same in every run.
 *
 * Why a market clock: only regular-session prints set prices, steps are evaluated only inside
 * regular sessions (open < T <= close), bars close at the session's close, and windows and
 * dwell count sessions or trading time. Nothing is decided or stamped while the market is shut.
 */
export class Detector {
  readonly #s: CompiledSettings;
  readonly #opts: DetectorOptions;
  #state: CoreState;
  readonly #pending: PendingPrints;
  readonly #actions: ActionBook;
  readonly #prices: MarketPrices;
  readonly #rules: RuleBook;
  readonly #known: Set<string>;
  /** The session of the last step looked up: steps arrive in order, so this is nearly always it. */
  #session: Session | null = null;
  #appended = new Map<string, number[]>();
  #alerts: AlertDraft[] = [];
  #last: Evaluation | null = null;
  readonly #history: HistoryRecorder;

  constructor(options: DetectorOptions, persisted?: Persisted) {
    this.#opts = options;
    this.#s = options.settings;
    this.#known = new Set(this.#s.symbols);
    this.#state = persisted ? structuredClone(persisted.state) : emptyState();
    if (this.#state.v !== 2) {
      throw new DetectorError(
        DetectorErrorCode.stateCorrupt,
        `stored detector state has version ${String(this.#state.v)}; this detector keeps market-time state (version 2) and cannot continue it: rebuild it from the ticks topic under a new ROTATION_NAMESPACE or after deleting the namespace's detector keys`,
      );
    }
    upgradeState(this.#state);
    this.#prices = new MarketPrices(this.#s, this.#state.tradingStep, persisted?.closes ?? {});
    this.#pending = new PendingPrints(this.#state.pending, this.#s.stepMs);
    this.#actions = new ActionBook(this.#s, () => this.#state, this.#prices);
    this.#rules = new RuleBook(this.#s, persisted?.rules ? structuredClone(persisted.rules) : {});
    this.#history = new HistoryRecorder(historyTracks(this.#s));
  }

  /** Active, evaluable user rules. */
  get activeRules(): number {
    return this.#rules.size;
  }

  /**
   * Takes one record of `<ns>.rules`. It applies to steps after both its `effectiveFrom` and
   * the last step evaluated so far: a rule created now applies from now on.
   */
  offerRule(value: Buffer | string | null): RuleChange {
    return this.#rules.apply(value, this.#state.evaluatedAt);
  }

  /** Rule entries changed and rules fired since the last call. */
  takeRuleChanges(): RuleChanges {
    return { ...this.#rules.takeDirty(), fired: this.#rules.takeFired() };
  }

  get state(): CoreState {
    return this.#state;
  }

  /** Event time of the last evaluated (in-session) step, or null. */
  get asOf(): number | null {
    return this.#state.evaluatedAt;
  }

  #reject(rec: InputRecord, reason: DeadLetter['reason'], message: string): DeadLetter {
    const c = this.#state.counters;
    if (reason === 'late') c.late += 1;
    else if (reason === 'late_cancel') c.lateCancels += 1;
    else if (reason === 'late_correction') c.lateCorrections += 1;
    else c.rejected += 1;
    return deadLetter(rec, this.#opts.topic, reason, message, this.#opts.now());
  }

  #raiseLane(lane: string, to: number): void {
    const cur = this.#state.lanes[lane];
    if (cur === undefined || to > cur) this.#state.lanes[lane] = to;
  }

  /** Applies one record. Returns the dead letter it produced, if any. Never throws on bad input. */
  offer(rec: InputRecord): DeadLetter | null {
    const decoded = decodeTick(rec.value);
    if (!decoded.ok) return this.#reject(rec, decoded.reason, decoded.message);
    if (decoded.watermark !== undefined) {
      // Only on partitions that carry universe symbols: a lane added here for any other one
      // would have to keep advancing from then on, and a later replay would stall on it.
      if (!this.#opts.lanes.includes(rec.lane)) return null;
      // An end of stream lets every step up to the source's last tick be evaluated: the lane
      // moves to where that tick's step is below its watermark.
      const B = this.#s.stepMs;
      const to = decoded.final ? Math.ceil(decoded.watermark / B) * B + this.#s.latenessMs + 1 : decoded.watermark;
      this.#raiseLane(String(rec.lane), to);
      return null;
    }
    if (decoded.event !== undefined) {
      const e = decoded.event;
      if (!this.#known.has(e.symbol)) return this.#reject(rec, 'unknown_symbol', `${e.symbol} is not in the universe`);
      if (e.type === 'corporate_action') {
        const problem = this.#actions.offer(e);
        if (problem !== null) return this.#reject(rec, 'invalid_tick', problem);
        this.#state.counters.actions += 1;
        return null;
      }
      return this.#amend(rec, e);
    }
    return this.#offerTick(rec, decoded.tick);
  }

  #offerTick(rec: InputRecord, tick: Tick): DeadLetter | null {
    if (!this.#known.has(tick.symbol)) return this.#reject(rec, 'unknown_symbol', `${tick.symbol} is not in the universe`);
    const lane = String(rec.lane);
    const phase = this.#s.calendar.phaseAt(tick.ts);
    const reason = tick.eligibility?.last === false ? tick.eligibility.reason : undefined;
    if (phase !== 'regular' || reason !== undefined) {
      // Kept on the topic for volume, odd-lot and extended-hours views; never a regular close,
      // so never late either: it could not have moved a price whenever it came.
      this.#raiseLane(lane, Math.max(tick.ts, tick.sourceMaxTs ?? tick.ts));
      const c = this.#state.counters;
      if (phase === 'closed') c.marketClosed += 1;
      else if (phase !== 'regular') c.extendedHours += 1;
      else c.ineligible[reason!] = (c.ineligible[reason!] ?? 0) + 1;
      return null;
    }
    const late = this.#lateness(lane, tick.ts, tick.sourceMaxTs);
    if (late !== null) return this.#reject(rec, 'late', late);
    this.#raiseLane(lane, Math.max(tick.ts, tick.sourceMaxTs ?? tick.ts));
    this.#pending.add(tick.symbol, [tick.ts, tick.tsNanos ?? 0, tick.price, tick.id ?? '']);
    this.#state.counters.accepted += 1;
    return null;
  }

  /** Why a record at event time `ts` comes too late to change a step, or null. */
  #lateness(lane: string, ts: number, sourceMaxTs: number | undefined): string | null {
    const lateness = this.#s.latenessMs;
    // Lateness against the source's own progress when it says it: the same for any partitioning.
    const reference = sourceMaxTs ?? this.#state.lanes[lane];
    if (reference !== undefined && ts < reference - lateness) {
      const against = sourceMaxTs !== undefined ? 'the newest its source had published' : `the newest of partition ${lane}`;
      return `event time ${new Date(ts).toISOString()} is more than ${lateness} ms behind ${new Date(reference).toISOString()}, ${against}`;
    }
    const finalizedUntil = this.#state.step === null ? null : this.#state.step * this.#s.stepMs;
    if (finalizedUntil !== null && ts <= finalizedUntil) {
      return `event time ${new Date(ts).toISOString()} is at or before ${new Date(finalizedUntil).toISOString()}, already evaluated`;
    }
    return null;
  }

  /**
   * A cancel takes its print back and a correction replaces it, while the print's step is
   * still open; after that the step's close is final and the record is dead-lettered with its
   * own reason. Judged on the print's event time, like the print itself, so replays agree.
   */
  #amend(rec: InputRecord, e: TradeCancel | TradeCorrection): DeadLetter | null {
    const lane = String(rec.lane);
    // Outside the session the print moved nothing, so there is nothing to take back, however late.
    const regular = this.#s.calendar.phaseAt(e.ts) === 'regular';
    const late = regular ? this.#lateness(lane, e.ts, e.sourceMaxTs) : null;
    if (late !== null) return this.#reject(rec, e.type === 'cancel' ? 'late_cancel' : 'late_correction', `${e.type} of ${e.symbol} ${e.id}: ${late}`);
    if (e.sourceMaxTs !== undefined) this.#raiseLane(lane, e.sourceMaxTs);
    const c = this.#state.counters;
    if (e.type === 'cancel') c.cancels += 1;
    else c.corrections += 1;
    if (!regular) return null;
    const nanos = e.tsNanos ?? 0;
    this.#pending.remove(e.symbol, e.id, e.ts, nanos, e.price);
    if (e.type === 'correction' && e.corrected.eligibility?.last !== false) {
      this.#pending.add(e.symbol, [e.ts, nanos, e.corrected.price, e.corrected.id ?? '']);
    }
    return null;
  }

  /** Min over lanes of (newest event time - lateness); null until every expected lane has data. */
  watermark(): number | null {
    const lanes = new Set([...this.#opts.lanes.map(String), ...Object.keys(this.#state.lanes)]);
    let w = Infinity;
    for (const l of lanes) {
      const max = this.#state.lanes[l];
      if (max === undefined) return null;
      w = Math.min(w, max - this.#s.latenessMs);
    }
    return Number.isFinite(w) ? w : null;
  }

  /** Finalizes every step below the watermark, evaluating those inside a session. Returns how many were evaluated. */
  advance(): number {
    const w = this.watermark();
    if (w === null) return 0;
    const B = this.#s.stepMs;
    const st = this.#state;
    if (st.step === null) {
      // The first step is the bucket of the earliest accepted tick. Every tick accepted later
      // is at or after some lane's watermark, hence after w, so this is the same in every run.
      const first = this.#pending.earliestBucket();
      if (!Number.isFinite(first) || first * B >= w) return 0;
      st.step = first - 1;
    }
    const lastBelow = Math.ceil(w / B) - 1; // the newest step with k * B < w
    let n = 0;
    while (st.step < lastBelow) {
      const k = st.step + 1;
      const session = this.#sessionOf(k * B);
      if (session) {
        this.#finalize(k, session);
        n += 1;
        continue;
      }
      // Closed: no regular print can be pending here, so skip straight to the next open.
      const next = this.#s.calendar.nextCloseAfter(k * B);
      st.step = next === null ? lastBelow : Math.min(lastBelow, next.open / B);
    }
    return n;
  }

  /** The regular session with open < t <= close, or null when t is outside every session. */
  #sessionOf(t: number): Session | null {
    const cached = this.#session;
    if (cached !== null && cached.open < t && t <= cached.close) return cached;
    const s = this.#s.calendar.sessionAtOrBefore(t);
    if (s === null || t > s.close) return null;
    this.#session = s;
    return s;
  }

  /** Alerts decided since the last call, in decision order. */
  takeAlerts(): AlertDraft[] {
    const out = this.#alerts;
    this.#alerts = [];
    return out;
  }

  /** What the operator should hear of (actions applied, quarantines), in decision order. */
  takeNotices(): OperatorNotice[] {
    return this.#actions.takeNotices();
  }

  /**
   * Symbols whose kept closes a corporate action restated since the last call, with all their
   * closes now (oldest first): the store replaces what it holds for them.
   */
  takeRewritten(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const sym of this.#actions.takeRestated()) out[sym] = this.#prices.rings.get(sym)?.values() ?? [];
    return out;
  }

  /** Closes appended since the last call, per symbol, oldest first. */
  takeAppended(): Record<string, number[]> {
    const out = Object.fromEntries(this.#appended);
    this.#appended = new Map();
    return out;
  }

  /** Full persisted form (used by the in-memory store and by tests). */
  persisted(): Persisted {
    const closes: Record<string, number[]> = {};
    for (const [sym, ring] of this.#prices.rings) closes[sym] = ring.values();
    return { state: structuredClone(this.#state), closes, rules: structuredClone(this.#rules.entries()) };
  }

  #finalize(k: number, session: Session): void {
    const st = this.#state;
    const t = k * this.#s.stepMs;
    const tradingStep = (st.tradingStep ?? -1) + 1;
    const key = String(k);
    st.firstSession ??= session.index;
    // Actions due by this step restate the history before any of its prices is compared with it.
    this.#actions.applyDue(t);
    for (const [sym, ring] of this.#prices.rings) {
      const hit = this.#pending.take(sym, key);
      let close = ring.latest();
      if (hit !== undefined) {
        this.#actions.checkJump(sym, close, hit, t, tradingStep, session);
        close = hit;
        st.barActive = true;
      }
      ring.push(tradingStep, close);
      let list = this.#appended.get(sym);
      if (!list) this.#appended.set(sym, (list = []));
      list.push(close);
    }
    st.step = k;
    st.tradingStep = tradingStep;
    st.evaluatedAt = t;
    st.counters.steps += 1;
    const atClose = t === session.close;
    // A session without a single regular print (a gap in the data) makes no bar.
    const barClose = atClose && st.barActive;
    if (atClose) st.barActive = false;
    if (barClose) st.barCount += 1;
    const ctx: StepContext = { settings: this.#s, state: st, prices: this.#prices, now: { t, session, tradingStep }, barClose, alerts: this.#alerts };
    this.#last = evaluateStep(ctx);
    if (barClose) closeSession(ctx);
    // After the bar's RRG and breadth: a rule reads what the snapshot of this step shows.
    if (this.#rules.size > 0) this.#rules.evaluate({ settings: this.#s, state: st, evaluation: this.#last }, barClose, { steps: tradingStep, bars: st.barCount }, this.#alerts);
    if (atClose) this.#actions.expire(session, t);
    const due = this.#history.due(st.history, t);
    if (due.length > 0) {
      const e = this.#last;
      this.#history.record(due, st.history, t, (track) => (track.id === RRG_TRACK ? projectRrgEntry(this.#s, st, e) : projectWindowEntry(st, e, this.#s.windows.findIndex((w) => w.label === track.id), track.id)));
    }
  }

  /** Chart points of the steps evaluated since the last call (core/history.ts). */
  takeHistory(): HistoryWrite[] {
    return this.#history.take();
  }

  /** The snapshot at the last evaluated step, or null before the first. */
  snapshot(): Snapshot | null {
    if (this.#last === null) return null;
    const noData = this.#s.symbols.filter((sym) => Number.isNaN(this.#prices.raw(sym)));
    return projectSnapshot(this.#s, this.#state, this.#last, noData);
  }
}
