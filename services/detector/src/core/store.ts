import type { Alert, Snapshot, SnapshotRecord } from '@rotation/schemas';
import type { AlertDraft } from './alerts.js';
import type { CoreState } from './state.js';
import type { RuleChanges } from './detector.js';
import { joinStored, type RuleEntry, type StoredRule } from './rules/book.js';
import type { RunState } from './rules/machine.js';
import type { HistoryWrite } from './history.js';

/** Everything one consumed batch changed, committed atomically or not at all. */
export interface CommitRequest {
  /**
   * The detector's live state, not a copy: a store serialises or copies it during `commit`,
   * and the detector is not touched until `commit` settles (batches run one at a time; a failed
   * commit drops the detector and reloads). Copying it per batch cost a tenth of the CPU.
   */
  state: CoreState;
  /** Closes appended per symbol since the previous commit, oldest first. */
  appended: Record<string, number[]>;
  /**
   * Symbols whose stored closes a corporate action restated: all their closes, oldest first,
   * replacing what is stored (their `appended` closes are included here).
   */
  rewritten?: Record<string, number[]>;
  /** Newly decided alerts, in decision order; the store assigns their seqs. */
  alerts: AlertDraft[];
  /** The snapshot after the batch, or null when no step was evaluated (nothing changed). */
  snapshot: Snapshot | null;
  /** Chart points of the batch's evaluated steps, per track in event-time order (core/history.ts). */
  history?: HistoryWrite[];
  /** Next offset to consume per lane (ticks partition), after this batch. */
  offsets: Record<string, string>;
  /** Rule entries to store (records taken, run states moved) and the rules that fired. */
  rules?: RuleChanges;
  /** Next offset to consume per `<ns>.rules` partition, after this batch. */
  ruleOffsets?: Record<string, string>;
}

export interface Committed {
  /** The batch's alerts with their assigned seqs. */
  alerts: Alert[];
  snapshot: SnapshotRecord | null;
}

export interface Loaded {
  state: CoreState;
  closes: Record<string, number[]>;
  offsets: Record<string, string>;
  rules?: Record<string, RuleEntry>;
  ruleOffsets?: Record<string, string>;
}

/**
 * Where the detector's state lives. `commit` is all-or-nothing: state, closes, alerts (with
 * their seqs), snapshot and offsets become visible together, so whatever crashes, the stored
 * offsets always describe exactly the input the stored state has absorbed.
 */
export interface StateStore {
  load(): Promise<Loaded | null>;
  commit(request: CommitRequest): Promise<Committed>;
}

/** The in-memory store for unit tests and the test driver: same semantics, no I/O. */
export class MemoryStateStore implements StateStore {
  #state: CoreState | null = null;
  readonly #closes = new Map<string, number[]>();
  #offsets: Record<string, string> = {};
  #rules: Record<string, StoredRule> = {};
  #runs: Record<string, RunState> = {};
  #ruleOffsets: Record<string, string> = {};
  readonly lastFired: Record<string, { eventTime: string; alertId: string; message: string }> = {};
  #seq = 0;
  #version = 0;
  readonly history: Alert[] = [];
  /** Recorded chart points per track, oldest first, bounded like the Redis streams. */
  readonly points = new Map<string, HistoryWrite[]>();
  snapshot: SnapshotRecord | null = null;
  commits = 0;

  constructor(readonly ringLength: number) {}

  async load(): Promise<Loaded | null> {
    if (this.#state === null) return null;
    return {
      state: structuredClone(this.#state),
      closes: Object.fromEntries([...this.#closes].map(([k, v]) => [k, [...v]])),
      offsets: { ...this.#offsets },
      rules: joinStored(structuredClone(this.#rules), structuredClone(this.#runs)),
      ruleOffsets: { ...this.#ruleOffsets },
    };
  }

  async commit(req: CommitRequest): Promise<Committed> {
    this.#state = structuredClone(req.state);
    const rewritten = req.rewritten ?? {};
    for (const [sym, values] of Object.entries(req.appended)) {
      if (rewritten[sym] !== undefined) continue;
      const list = [...(this.#closes.get(sym) ?? []), ...values];
      this.#closes.set(sym, list.slice(-this.ringLength));
    }
    for (const [sym, values] of Object.entries(rewritten)) this.#closes.set(sym, values.slice(-this.ringLength));
    this.#offsets = { ...this.#offsets, ...req.offsets };
    this.#rules = { ...this.#rules, ...structuredClone(req.rules?.records ?? {}) };
    this.#runs = { ...this.#runs, ...structuredClone(req.rules?.runs ?? {}) };
    Object.assign(this.lastFired, req.rules?.fired ?? {});
    this.#ruleOffsets = { ...this.#ruleOffsets, ...req.ruleOffsets };
    const alerts = req.alerts.map((a) => ({ ...a, seq: ++this.#seq }));
    this.history.push(...alerts);
    if (req.snapshot) this.snapshot = { v: 1, version: ++this.#version, snapshot: req.snapshot };
    for (const w of req.history ?? []) {
      const list = [...(this.points.get(w.track.id) ?? []), w];
      this.points.set(w.track.id, list.slice(-w.track.maxPoints));
    }
    this.commits += 1;
    return { alerts, snapshot: req.snapshot ? this.snapshot : null };
  }
}
