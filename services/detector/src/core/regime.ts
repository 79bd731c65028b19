export type SizeRegime = 'small' | 'large' | 'neutral';

/**
 * Size regime with hysteresis: a side leads once the spread (small minus large, pp) reaches
 * +enter / -enter, and the lead ends only when the spread falls back inside +-exit. Between
 * exit and enter nothing changes, so a spread hovering at one threshold cannot flap.
 */
export function nextRegime(current: SizeRegime, spreadPp: number | null, enterPp: number, exitPp: number): SizeRegime {
  if (spreadPp === null) return current;
  if (spreadPp >= enterPp) return 'small';
  if (spreadPp <= -enterPp) return 'large';
  if (current === 'small' && spreadPp < exitPp) return 'neutral';
  if (current === 'large' && spreadPp > -exitPp) return 'neutral';
  return current;
}

export interface RegimeState {
  regime: SizeRegime;
  /** The regime the thresholds point to, while it has not yet held for the dwell. */
  candidate: SizeRegime | null;
  /** Consecutive session closes the candidate has held. */
  held: number;
}

export function emptyRegime(): RegimeState {
  return { regime: 'neutral', candidate: null, held: 0 };
}

/**
 * One session close of the regime with a dwell: the thresholds' verdict must repeat at
 * `dwellBars` consecutive closes before the regime changes; any close that points back
 * resets it; a close without a spread changes nothing. Returns the regime it changed from, if it changed.
 */
export function regimeStep(
  state: RegimeState,
  spreadPp: number | null,
  p: { enterPp: number; exitPp: number; dwellBars: number },
): { state: RegimeState; changedFrom: SizeRegime | null } {
  // No spread (a side has no price): neither evidence for a change nor against it.
  if (spreadPp === null) return { state, changedFrom: null };
  const verdict = nextRegime(state.regime, spreadPp, p.enterPp, p.exitPp);
  if (verdict === state.regime) return { state: { regime: state.regime, candidate: null, held: 0 }, changedFrom: null };
  const held = state.candidate === verdict ? state.held + 1 : 1;
  if (held >= p.dwellBars) return { state: { regime: verdict, candidate: null, held: 0 }, changedFrom: state.regime };
  return { state: { regime: state.regime, candidate: verdict, held }, changedFrom: null };
}
