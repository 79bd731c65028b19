import { spearmanRho } from './stats.js';

export interface RankedSector {
  symbol: string;
  name: string;
  returnPct: number;
  /** Return minus the benchmark's (pp); null while the benchmark has no return. */
  relativePct: number | null;
  rank: number;
}

/**
 * Sectors best first by return over the window (ties by symbol, so the order is total and
 * deterministic); relativePct = return minus the benchmark's return (pp). Sectors without a
 * return yet are left out. Ranking by return or by relative return gives the same order.
 */
export function rankSectors(
  sectors: ReadonlyArray<{ symbol: string; name: string }>,
  returnOf: (symbol: string) => number | null,
  benchmarkReturn: number | null,
): RankedSector[] {
  const rows: Array<{ symbol: string; name: string; returnPct: number }> = [];
  for (const s of sectors) {
    const r = returnOf(s.symbol);
    if (r !== null) rows.push({ symbol: s.symbol, name: s.name, returnPct: r });
  }
  rows.sort((a, b) => b.returnPct - a.returnPct || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return rows.map((r, i) => ({ ...r, relativePct: benchmarkReturn === null ? null : r.returnPct - benchmarkReturn, rank: i + 1 }));
}

/** One confirmed role (leader or laggard) and the challenger that may replace it. */
export interface RoleState {
  holder: string | null;
  challenger: string | null;
  /**
   * Market clock reading (trading steps for intraday windows, session bars for longer ones)
   * since which the challenger has continuously held the position by the margin.
   */
  since: number | null;
  /** The holder replaced by the last change, and the clock reading of that change. */
  previous?: { symbol: string; at: number } | null;
}

export interface RoleChange {
  from: string | null;
  to: string;
}

/**
 * Hysteresis for the leader (role 'leader': the top of the ranking) or laggard (the bottom):
 * the incumbent is replaced only when one challenger holds the position and beats the
 * incumbent by at least `marginPp` at every decision for `dwell` ticks of the market clock `t`
 * (trading steps or session bars; 0 = decided at the first). Any decision that
 * breaks the condition resets the clock, so noise around a tie never flaps the role.
 * The holder just replaced needs twice the margin to take the role back within `returnWindow`
 * ticks of the clock (separate start and stop thresholds, as flap detectors use): a lead that
 * swings back the next day was noise, not a rotation.
 * The first holder is taken as is (nothing changed, so there is nothing to report).
 */
/** How a role changes hands: the lead a challenger needs (pp), for how many ticks, and the window in which a replaced holder needs twice the margin. */
export interface RoleRules {
  marginPp: number;
  dwell: number;
  returnWindow?: number;
}

export function stepRole(
  state: RoleState,
  role: 'leader' | 'laggard',
  ranking: readonly RankedSector[],
  t: number,
  { marginPp, dwell, returnWindow = 0 }: RoleRules,
): { state: RoleState; change: RoleChange | null } {
  if (ranking.length < 2) return { state, change: null };
  const top = role === 'leader' ? ranking[0]! : ranking[ranking.length - 1]!;
  if (state.holder === null) return { state: { holder: top.symbol, challenger: null, since: null }, change: null };
  const previous = state.previous ?? null;
  const keep = { holder: state.holder, challenger: null, since: null, previous };
  const incumbent = ranking.find((r) => r.symbol === state.holder);
  const lead = incumbent === undefined ? Infinity : role === 'leader' ? top.returnPct - incumbent.returnPct : incumbent.returnPct - top.returnPct;
  const returning = previous !== null && previous.symbol === top.symbol && t - previous.at < returnWindow;
  if (top.symbol === state.holder || lead < (returning ? 2 * marginPp : marginPp)) return { state: keep, change: null };
  const since = state.challenger === top.symbol && state.since !== null ? state.since : t;
  if (t - since >= dwell) {
    return { state: { holder: top.symbol, challenger: null, since: null, previous: { symbol: state.holder, at: t } }, change: { from: state.holder, to: top.symbol } };
  }
  return { state: { ...keep, challenger: top.symbol, since }, change: null };
}

/** 1 - Spearman rho between two rankings (0 = unchanged, 1 = unrelated, 2 = reversed). */
export function rotationIntensity(previous: readonly string[] | null, current: readonly string[]): number | null {
  if (previous === null) return null;
  const rho = spearmanRho(current, previous);
  return rho === null ? null : 1 - rho;
}
