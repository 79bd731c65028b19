import { quadrantAlert, thrustAlert } from './alert-text.js';
import { adStep, advancingPct, thrustStep } from './breadth.js';
import type { StepContext } from './evaluation.js';
import { emptyRrg, rrgStep } from './rrg.js';
import { appendBar } from './session-bars.js';

/**
 * The bar-based measures at a session's close: RRG (per session or at the week's last
 * session), the advancing share and Zweig's thrust, advance/decline, then the session's bar
 * itself. Runs after the step's evaluation, so session and calendar windows evaluated at this
 * close still reference the previous bars.
 */
export function closeSession(x: StepContext): void {
  const { settings: s, state, prices, now } = x;
  if (s.rrg.bars === 'session' || s.calendar.endsWeek(now.session)) rrgBar(x);
  const advancing = advancingShare(x);
  if (advancing !== null) {
    const out = thrustStep(state.thrust, advancing.pct, s.breadth);
    state.thrust = out.state;
    if (out.fired) x.alerts.push(thrustAlert(advancing.of, out.fired, advancing.pct, s.breadth.withinBars, now.t));
  }
  if (s.constituents.length > 0) state.ad = adStep(state.ad, new Map(s.constituents.map((c) => [c, prices.latest(c)])));
  appendBar(state.bars, now.session.index, new Map(s.symbols.map((sym) => [sym, prices.raw(sym)])), s.barHistory);
}

function rrgBar(x: StepContext): void {
  const { settings: s, state, prices, now } = x;
  const bench = prices.latest(s.benchmark);
  if (!Number.isFinite(bench)) return;
  for (const sec of s.sectors) {
    const price = prices.latest(sec.symbol);
    if (!Number.isFinite(price)) continue;
    const prev = state.rrg[sec.symbol] ?? emptyRrg();
    const next = rrgStep(prev, now.t, price, bench, s.rrg);
    next.lastSession = now.session.index;
    state.rrg[sec.symbol] = next;
    if (prev.quadrant !== null && next.quadrant !== null && next.quadrant !== prev.quadrant) {
      x.alerts.push(quadrantAlert(sec, s.benchmark, { from: prev.quadrant, to: next.quadrant }, { rsRatio: next.rsRatio!, rsMomentum: next.rsMomentum! }, now.t));
    }
  }
}

/** Zweig's input: constituents when the universe lists them, otherwise the sectors' own session changes. */
function advancingShare(x: StepContext): { pct: number; of: 'sectors' | 'constituents' } | null {
  const { settings: s, state, prices, now } = x;
  const of = s.constituents.length > 0 ? 'constituents' : 'sectors';
  const symbols = of === 'constituents' ? s.constituents : s.sectors.map((sec) => sec.symbol);
  const pct = advancingPct(symbols.map((sym) => prices.sessionChangePct(sym, now.session, state.bars)));
  return pct === null ? null : { pct, of };
}
