import type { Quadrant } from '@rotation/schemas';
import { makeAlert, pct, pp, type AlertDraft } from './alerts.js';
import type { RankedSector, RoleChange } from './leadership.js';
import type { SizeRegime } from './regime.js';

/**
 * The wording of every alert: signed numbers with units, the benchmark named, so a message
 * read alone on a phone says what moved against what over which window.
 */

const QUADRANT_NAME: Record<Quadrant, string> = { leading: 'Leading', weakening: 'Weakening', lagging: 'Lagging', improving: 'Improving' };

export interface PairReturns {
  label: string;
  small: string;
  large: string;
  smallPct: number;
  largePct: number;
  spreadPp: number;
}

export function zScoreAlert(p: PairReturns, window: string, t: number, z: number, threshold: number): AlertDraft {
  const severity = Math.abs(z) >= 1.5 * threshold ? 'critical' : 'warning';
  return makeAlert({
    kind: 'spread_zscore',
    severity,
    subject: p.label,
    window,
    t,
    message: `${p.label} spread stretched: ${pp(p.spreadPp)} over ${window} (z ${z >= 0 ? '+' : ''}${z.toFixed(2)}; ${p.small} ${pct(p.smallPct)} vs ${p.large} ${pct(p.largePct)})`,
    metrics: { zScore: z, spreadPp: p.spreadPp, smallReturnPct: p.smallPct, largeReturnPct: p.largePct, threshold },
  });
}

export function regimeAlert(p: PairReturns, window: string, from: SizeRegime, to: SizeRegime, t: number): AlertDraft {
  const spread = `over ${window} (spread ${pp(p.spreadPp)})`;
  const text =
    to === 'small'
      ? `Small caps lead: ${p.small} ${pct(p.smallPct)} vs ${p.large} ${pct(p.largePct)} ${spread}`
      : to === 'large'
        ? `Large caps lead: ${p.large} ${pct(p.largePct)} vs ${p.small} ${pct(p.smallPct)} ${spread}`
        : `Size leadership fades: ${p.small} ${pct(p.smallPct)} vs ${p.large} ${pct(p.largePct)} ${spread}`;
  return makeAlert({ kind: 'size_regime_change', severity: to === 'neutral' ? 'info' : 'warning', subject: p.label, window, t, message: text, metrics: {
    from,
    to,
    smallReturnPct: p.smallPct,
    largeReturnPct: p.largePct,
    spreadPp: p.spreadPp,
  } });
}

export function leadershipAlert(
  role: 'leader' | 'laggard',
  window: { label: string; sessionLength: number },
  t: number,
  change: RoleChange,
  ranking: readonly RankedSector[],
  benchmark: { symbol: string; returnPct: number | null },
): AlertDraft {
  const to = ranking.find((x) => x.symbol === change.to)!;
  const from = ranking.find((x) => x.symbol === change.from);
  const benchText = benchmark.returnPct === null ? '' : ` (${benchmark.symbol} ${pct(benchmark.returnPct)})`;
  const fromText = from ? ` vs ${from.symbol} ${pct(from.returnPct)}` : '';
  const what = role === 'leader' ? 'takes the sector lead' : 'becomes the weakest sector';
  return makeAlert({
    kind: 'leadership_change',
    severity: window.sessionLength >= 1 ? 'warning' : 'info',
    subject: to.symbol,
    window: window.label,
    t,
    message: `${to.symbol} (${to.name}) ${what} over ${window.label}: ${to.symbol} ${pct(to.returnPct)}${fromText}${benchText}`,
    metrics: { role, from: change.from, to: change.to, returnPct: to.returnPct, previousReturnPct: from?.returnPct ?? null, benchmarkReturnPct: benchmark.returnPct },
    discriminator: role,
  });
}

export function quadrantAlert(
  sector: { symbol: string; name: string },
  benchmark: string,
  { from, to }: { from: Quadrant; to: Quadrant },
  { rsRatio, rsMomentum }: { rsRatio: number; rsMomentum: number },
  t: number,
): AlertDraft {
  const severity = to === 'leading' || to === 'lagging' ? 'warning' : 'info';
  return makeAlert({
    kind: 'rrg_quadrant_change',
    severity,
    subject: sector.symbol,
    t,
    message: `${sector.symbol} (${sector.name}) moves from ${QUADRANT_NAME[from]} to ${QUADRANT_NAME[to]} vs ${benchmark} (RS-Ratio ${rsRatio.toFixed(2)}, RS-Momentum ${rsMomentum.toFixed(2)})`,
    metrics: { from, to, rsRatio, rsMomentum },
  });
}

export function thrustAlert(universeOf: 'sectors' | 'constituents', fired: { from: number; to: number }, advancing: number, withinBars: number, t: number): AlertDraft {
  return makeAlert({
    kind: 'breadth_thrust',
    severity: 'warning',
    subject: universeOf,
    window: '1d',
    t,
    message: `Breadth thrust: the ${withinBars}-session EMA of ${universeOf} advancing rose from ${fired.from.toFixed(1)}% to ${fired.to.toFixed(1)}% within ${withinBars} sessions`,
    metrics: { fromPct: fired.from, toPct: fired.to, advancingPct: advancing, withinBars },
  });
}
