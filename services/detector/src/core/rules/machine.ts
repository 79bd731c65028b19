/**
 * The state machine every rule runs, whatever it watches: a measured value is classified into
 * a category (with hysteresis: the classification may depend on the current category), a new
 * category must hold for the dwell before it is confirmed, and confirming a transition the
 * rule cares about fires it, unless the cooldown since the last firing has not passed (then
 * the transition waits, and fires once the cooldown is over if the category still holds).
 * Time is market time: trading steps and session bars, never wall-clock time.
 */

/** Positions on the two market clocks: evaluated trading steps and closed session bars. */
export interface Clock {
  steps: number;
  bars: number;
}

/** A duration on one of the clocks (`parseRuleDuration`). */
export interface Span {
  clock: 'steps' | 'bars';
  n: number;
}

export interface RunState {
  /** The confirmed category; null until the first value is seen (which is taken silently). */
  confirmed: string | null;
  /** A different category seen since `since`, not yet held for the dwell. */
  candidate: string | null;
  since: Clock | null;
  lastFire: Clock | null;
}

export function emptyRun(): RunState {
  return { confirmed: null, candidate: null, since: null, lastFire: null };
}

export interface MachineSpec<V> {
  /** The category of `value`, given the current one (hysteresis); null value = no evidence. */
  classify(value: V, current: string | null): string;
  /** Whether confirming `to` (from `from`) is a firing. */
  fires(from: string, to: string): boolean;
  dwell: Span;
  cooldown: Span;
}

export function elapsed(from: Clock, to: Clock, span: Span): number {
  return span.clock === 'bars' ? to.bars - from.bars : to.steps - from.steps;
}

/** What an evaluation changed: the next state and, when it fired, the transition. */
export interface StepResult {
  state: RunState;
  fired: { from: string; to: string } | null;
}

/**
 * One evaluation. Returns null when nothing changed (the common case, so thousands of rules
 * per step allocate nothing), else the next state and, when it fired, the transition. Pure.
 */
export function runStep<V>(state: RunState, value: V | null, now: Clock, spec: MachineSpec<V>): StepResult | null {
  if (value === null) return null;
  const c = spec.classify(value, state.candidate ?? state.confirmed);
  // The first value is where the rule starts from: a condition already true is not news.
  if (state.confirmed === null) return { state: { ...state, confirmed: c, candidate: null, since: null }, fired: null };
  if (c === state.confirmed) return state.candidate === null ? null : { state: { ...state, candidate: null, since: null }, fired: null };
  // Waiting on the same candidate changes nothing but the time: no new state to store.
  const fresh = c !== state.candidate;
  const next: RunState = fresh ? { ...state, candidate: c, since: now } : state;
  const waiting = fresh ? { state: next, fired: null } : null;
  if (elapsed(next.since!, now, spec.dwell) < spec.dwell.n) return waiting;
  const from = state.confirmed;
  if (!spec.fires(from, c)) return { state: { ...next, confirmed: c, candidate: null, since: null }, fired: null };
  if (next.lastFire !== null && elapsed(next.lastFire, now, spec.cooldown) < spec.cooldown.n) return waiting;
  return { state: { confirmed: c, candidate: null, since: null, lastFire: now }, fired: { from, to: c } };
}
