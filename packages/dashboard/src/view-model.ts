/**
 * Pure derivations from dashboard state to what each panel draws: rows of text with units and
 * signs, chart series, and the marks (role, direction, quadrant) that must not rest on colour.
 */
import type { Alert, Breadth, Quadrant, RrgPoint, SectorWindow, Severity, SpreadPoint } from '@rotation/schemas';
import { arrow, direction, formatEventTime, formatLevel, formatPct, formatPp, formatShare, formatZ, isFiniteNumber } from './format.js';
import type { SpreadHistory } from './store.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "5m" -> 300000; unknown labels sort last. */
export function windowMs(label: string): number {
  const m = /^([1-9][0-9]*)([smhdw])$/.exec(label);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.MAX_SAFE_INTEGER;
}

export function sortWindows(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort((a, b) => windowMs(a) - windowMs(b) || a.localeCompare(b));
}

/** The window shown first: a trader's day. */
export const DEFAULT_WINDOW = '1d';

/**
 * The window to show first: 1d when the universe has it (the change since the previous close,
 * what a quote screen shows; short windows sit at 0.00 whenever the market is shut). Otherwise
 * the shortest one that moves, since with sparse ticks a window can sit at exactly zero.
 */
export function defaultWindow(windows: readonly string[], spreads: readonly SpreadPoint[]): string | undefined {
  if (windows.includes(DEFAULT_WINDOW)) return DEFAULT_WINDOW;
  const has = (w: string, ok: (v: number) => boolean) => spreads.some((p) => p.window === w && isFiniteNumber(p.spreadPp) && ok(p.spreadPp));
  return windows.find((w) => has(w, (v) => v !== 0)) ?? windows.find((w) => has(w, () => true)) ?? windows[0];
}

// ---------------------------------------------------------------- spreads

export interface SpreadRow {
  pair: string;
  spread: string;
  small: string;
  large: string;
  z: string;
  ratio: string;
  direction: ReturnType<typeof direction>;
  arrow: string;
  /** |z| > 2: commonly read as stretched. */
  stretched: boolean;
  /** Which side leads, in words. */
  leader: string;
}

export function spreadRows(spreads: readonly SpreadPoint[], window: string): SpreadRow[] {
  return spreads
    .filter((p) => p.window === window)
    .map((p) => ({
      pair: p.pair,
      spread: formatPp(p.spreadPp),
      small: `${p.small} ${formatPct(p.smallReturnPct)}`,
      large: `${p.large} ${formatPct(p.largeReturnPct)}`,
      z: formatZ(p.zScore),
      ratio: formatLevel(p.ratio),
      direction: direction(p.spreadPp),
      arrow: arrow(p.spreadPp),
      stretched: isFiniteNumber(p.zScore) && Math.abs(p.zScore) > 2,
      leader: !isFiniteNumber(p.spreadPp) ? unknownSpreadReading(p) : p.spreadPp > 0 ? `${p.small} leads` : p.spreadPp < 0 ? `${p.large} leads` : 'even',
    }));
}

/**
 * Why a spread is unknown: when one side has a return over the window and the other has none,
 * the other has no prices (a replay of a few symbols, a held symbol); that is not warming up.
 */
function unknownSpreadReading(p: SpreadPoint): string {
  const small = isFiniteNumber(p.smallReturnPct);
  const large = isFiniteNumber(p.largeReturnPct);
  if (small && !large) return `no data for ${p.large}`;
  if (large && !small) return `no data for ${p.small}`;
  return 'warming up';
}

export interface SeriesPoint {
  x: number;
  y: number;
}
export interface SpreadSeries {
  pair: string;
  points: SeriesPoint[];
}

/** One line per pair for one window, on event time, in the order of `pairs` (the table's). */
export function spreadSeries(history: SpreadHistory, window: string, pairs: readonly string[]): SpreadSeries[] {
  const byPair = history[window] ?? {};
  const order = [...pairs, ...Object.keys(byPair).filter((p) => !pairs.includes(p))];
  return order.map((pair) => ({ pair, points: byPair[pair] ?? [] }));
}

// ---------------------------------------------------------------- sectors

/** Rank 1 and the last rank of the shown ranking: what the badges mark. */
export type SectorRole = 'leader' | 'laggard' | null;

export interface LeaderboardRow {
  rank: number;
  symbol: string;
  name: string;
  returnText: string;
  relativeText: string;
  direction: ReturnType<typeof direction>;
  arrow: string;
  /** Bar length for |relative| as a share (0..100) of the largest |relative| in the window. */
  barPct: number;
  role: SectorRole;
  /**
   * The detector's confirmed holder of a role when it is not the row at that end of the ranking
   * now: hysteresis keeps it until a challenger leads by a margin for a dwell (windows of a
   * session or more decide at session closes only), so it can sit anywhere in the live ranking.
   */
  confirmed: 'leader' | 'laggard' | null;
}

export interface Leaderboard {
  window: string;
  rows: LeaderboardRow[];
  intensity: string;
  /** The detector's confirmed leader and laggard (the ones leadership alerts report), or null. */
  confirmedLeader: string | null;
  confirmedLaggard: string | null;
}

export function leaderboard(sectors: readonly SectorWindow[], window: string): Leaderboard | undefined {
  const w = sectors.find((s) => s.window === window);
  if (!w) return undefined;
  const maxAbs = Math.max(0, ...w.ranking.map((r) => Math.abs(r.relativePct ?? NaN)).filter(Number.isFinite));
  const ranked = [...w.ranking].sort((a, b) => a.rank - b.rank);
  const top = ranked[0]?.symbol;
  const bottom = ranked.length > 1 ? ranked[ranked.length - 1]!.symbol : undefined;
  return {
    window: w.window,
    confirmedLeader: w.leader,
    confirmedLaggard: w.laggard,
    rows: ranked.map((r) => ({
        rank: r.rank,
        symbol: r.symbol,
        name: r.name,
        returnText: formatPct(r.returnPct),
        relativeText: formatPp(r.relativePct),
        direction: direction(r.relativePct ?? 0),
        arrow: arrow(r.relativePct ?? 0),
        barPct: maxAbs > 0 && r.relativePct !== null ? Math.round((Math.abs(r.relativePct) / maxAbs) * 100) : 0,
        role: r.symbol === top ? 'leader' : r.symbol === bottom ? 'laggard' : null,
        confirmed: r.symbol === w.leader && r.symbol !== top ? 'leader' : r.symbol === w.laggard && r.symbol !== bottom ? 'laggard' : null,
      })),
    intensity: isFiniteNumber(w.rotationIntensity) ? w.rotationIntensity.toFixed(2) : '—',
  };
}

// ---------------------------------------------------------------- RRG

export const QUADRANTS: ReadonlyArray<{ id: Quadrant; label: string; where: string }> = [
  { id: 'leading', label: 'Leading', where: 'RS-Ratio > 100, RS-Momentum > 100' },
  { id: 'weakening', label: 'Weakening', where: 'RS-Ratio > 100, RS-Momentum < 100' },
  { id: 'lagging', label: 'Lagging', where: 'RS-Ratio < 100, RS-Momentum < 100' },
  { id: 'improving', label: 'Improving', where: 'RS-Ratio < 100, RS-Momentum > 100' },
];

export function quadrantOf(rsRatio: number, rsMomentum: number): Quadrant {
  if (rsRatio >= 100) return rsMomentum >= 100 ? 'leading' : 'weakening';
  return rsMomentum >= 100 ? 'improving' : 'lagging';
}

export interface RrgSeries {
  symbol: string;
  quadrant: Quadrant;
  head: SeriesPoint;
  /** Oldest first, ending at the head. */
  tail: SeriesPoint[];
}

export interface RrgModel {
  series: RrgSeries[];
  warming: string[];
  /** Axis bounds, symmetric around 100 so the quadrants stay the same size. */
  bounds: { min: number; max: number };
}

export function rrgModel(points: readonly RrgPoint[], tailLength = 8): RrgModel {
  const series: RrgSeries[] = [];
  const warming: string[] = [];
  let span = 2;
  for (const p of points) {
    if (!p.warm || !isFiniteNumber(p.rsRatio) || !isFiniteNumber(p.rsMomentum)) {
      warming.push(p.symbol);
      continue;
    }
    const head = { x: p.rsRatio, y: p.rsMomentum };
    const tail = p.tail.slice(-tailLength).map((t) => ({ x: t.rsRatio, y: t.rsMomentum }));
    const last = tail[tail.length - 1];
    if (!last || last.x !== head.x || last.y !== head.y) tail.push(head);
    for (const q of tail) span = Math.max(span, Math.abs(q.x - 100), Math.abs(q.y - 100));
    series.push({ symbol: p.symbol, quadrant: p.quadrant ?? quadrantOf(head.x, head.y), head, tail });
  }
  const half = Math.ceil(span * 1.15 * 2) / 2;
  return { series, warming, bounds: { min: 100 - half, max: 100 + half } };
}

export function quadrantCounts(model: RrgModel): Record<Quadrant, string[]> {
  const out: Record<Quadrant, string[]> = { leading: [], weakening: [], lagging: [], improving: [] };
  for (const s of model.series) out[s.quadrant].push(s.symbol);
  return out;
}

// ---------------------------------------------------------------- breadth

export interface BreadthModel {
  /** 0..100 or null while warming up. */
  beating: number | null;
  beatingText: string;
  leadingOrImproving: number | null;
  leadingOrImprovingText: string;
  /** A reading of the gauge in words. */
  reading: string;
  window: string | undefined;
  constituents: { advancers: number; decliners: number; unchanged: number; adLine: string; mcclellan: string } | null;
}

export function breadthModel(b: Breadth): BreadthModel {
  const beating = isFiniteNumber(b.sectorsBeatingBenchmarkPct) ? clamp(b.sectorsBeatingBenchmarkPct, 0, 100) : null;
  const li = isFiniteNumber(b.sectorsLeadingOrImprovingPct) ? clamp(b.sectorsLeadingOrImprovingPct, 0, 100) : null;
  return {
    beating,
    beatingText: formatShare(beating),
    leadingOrImproving: li,
    leadingOrImprovingText: formatShare(li),
    reading: beating === null ? 'warming up' : beating >= 70 ? 'broad: most sectors beat the benchmark' : beating <= 30 ? 'narrow: few sectors beat the benchmark' : 'mixed',
    window: b.window,
    constituents: b.constituents
      ? {
          advancers: b.constituents.advancers,
          decliners: b.constituents.decliners,
          unchanged: b.constituents.unchanged,
          adLine: b.constituents.adLine.toFixed(0),
          mcclellan: isFiniteNumber(b.constituents.mcclellan) ? (b.constituents.mcclellan > 0 ? '+' : '') + b.constituents.mcclellan.toFixed(1) : '—',
        }
      : null,
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

// ---------------------------------------------------------------- alerts

const SEVERITY: Record<Severity, { label: string; icon: string }> = {
  critical: { label: 'Critical', icon: '✖' },
  warning: { label: 'Warning', icon: '⚠' },
  info: { label: 'Info', icon: 'ℹ' },
};

const KIND_LABEL: Record<Alert['kind'], string> = {
  leadership_change: 'Leadership change',
  size_regime_change: 'Size regime change',
  spread_zscore: 'Spread stretched',
  rrg_quadrant_change: 'RRG quadrant change',
  breadth_thrust: 'Breadth thrust',
  rule: 'My rule',
};

export interface AlertRow {
  id: string;
  severity: Severity;
  severityLabel: string;
  icon: string;
  kind: string;
  subject: string;
  window: string;
  message: string;
  time: string;
}

export function alertRows(alerts: readonly Alert[], limit = 50): AlertRow[] {
  return alerts.slice(0, limit).map((a) => ({
    id: a.id,
    severity: a.severity,
    severityLabel: SEVERITY[a.severity].label,
    icon: SEVERITY[a.severity].icon,
    kind: KIND_LABEL[a.kind] ?? a.kind,
    subject: a.subject,
    window: a.window ?? '',
    message: a.message,
    time: formatEventTime(a.eventTime),
  }));
}
