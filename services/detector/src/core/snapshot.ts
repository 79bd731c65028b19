import type { RrgHistoryEntry, Snapshot, WindowHistoryEntry } from '@rotation/schemas';
import { mcclellan } from './breadth.js';
import type { Evaluation } from './evaluation.js';
import { emptyRrg } from './rrg.js';
import type { CompiledSettings } from './settings.js';
import type { CoreState } from './state.js';
import { round } from './stats.js';

const r6 = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : round(x, 6));

/** The snapshot of the last evaluated step: what the gateway serves and the dashboard draws. */
export function projectSnapshot(s: CompiledSettings, state: CoreState, e: Evaluation, noData: readonly string[] = []): Snapshot {
  const returns: Snapshot['returns'] = {};
  for (const [sym, rs] of e.returns) returns[sym] = Object.fromEntries(s.windows.map((w, i) => [w.label, r6(rs[i])]));
  const rrg = s.sectors.map((sec) => {
    const x = state.rrg[sec.symbol] ?? emptyRrg();
    return {
      symbol: sec.symbol,
      rsRatio: r6(x.rsRatio),
      rsMomentum: r6(x.rsMomentum),
      quadrant: x.quadrant,
      warm: x.rsRatio !== null,
      tail: x.tail.map((p) => ({ t: new Date(p.t).toISOString(), rsRatio: round(p.rsRatio, 6), rsMomentum: round(p.rsMomentum, 6) })),
    };
  });
  const placed = rrg.filter((x) => x.quadrant !== null);
  const li = placed.filter((x) => x.quadrant === 'leading' || x.quadrant === 'improving').length;
  return {
    asOf: new Date(e.now.t).toISOString(),
    market: {
      calendar: s.calendar.name,
      session: e.now.session.date,
      atClose: e.now.t === e.now.session.close,
      windows: s.windows.map((w) => ({ window: w.label, kind: w.kind, description: w.description })),
      priceBasis: s.priceBasis,
    },
    returns,
    spreads: e.spreads,
    sectors: e.sectors.map((x) => {
      const ws = state.sectors[x.window];
      return {
        window: x.window,
        ranking: x.ranking.map((row) => ({ ...row, returnPct: round(row.returnPct, 6), relativePct: r6(row.relativePct) })),
        leader: ws?.leader.holder ?? null,
        laggard: ws?.laggard.holder ?? null,
        rotationIntensity: r6(x.rotationIntensity),
      };
    }),
    rrg,
    breadth: {
      window: s.breadth.window.label,
      sectorsBeatingBenchmarkPct: r6(e.beatingPct),
      sectorsLeadingOrImprovingPct: placed.length === 0 ? null : round((100 * li) / placed.length, 6),
      advancingPct: r6(state.thrust.advancing),
      constituents:
        s.constituents.length === 0
          ? null
          : {
              advancers: state.ad.last?.advancers ?? 0,
              decliners: state.ad.last?.decliners ?? 0,
              unchanged: state.ad.last?.unchanged ?? 0,
              adLine: state.ad.adLine,
              mcclellan: r6(mcclellan(state.ad)),
            },
    },
    quarantined: Object.entries(state.quarantine).map(([symbol, q]) => ({ symbol, since: new Date(q.since).toISOString(), movePct: round((q.move - 1) * 100, 4), splitRatio: q.ratio })),
    ...(noData.length > 0 ? { noData: [...noData] } : {}),
  };
}

/**
 * A window's chart point at this step (core/history.ts): exactly the numbers projectSnapshot
 * gives for that window, built without the rest of the snapshot. Projecting whole snapshots
 * at every step made a replay four times slower.
 */
export function projectWindowEntry(state: CoreState, e: Evaluation, windowIndex: number, window: string): WindowHistoryEntry {
  const spreads: WindowHistoryEntry['spreads'] = {};
  for (const p of e.spreads) {
    if (p.window === window) spreads[p.pair] = { spreadPp: p.spreadPp, smallReturnPct: p.smallReturnPct, largeReturnPct: p.largeReturnPct, ratio: p.ratio, zScore: p.zScore };
  }
  const returns: WindowHistoryEntry['returns'] = {};
  for (const [sym, rs] of e.returns) returns[sym] = r6(rs[windowIndex]);
  const ranks: WindowHistoryEntry['ranks'] = {};
  const x = e.sectors.find((w) => w.window === window);
  for (const row of x?.ranking ?? []) ranks[row.symbol] = { rank: row.rank, returnPct: round(row.returnPct, 6), relativePct: r6(row.relativePct) };
  const ws = x ? state.sectors[window] : undefined;
  return { v: 1, t: new Date(e.now.t).toISOString(), spreads, returns, ranks, leader: ws?.leader.holder ?? null, laggard: ws?.laggard.holder ?? null };
}

export function projectRrgEntry(s: CompiledSettings, state: CoreState, e: Evaluation): RrgHistoryEntry {
  const rrg: RrgHistoryEntry['rrg'] = {};
  for (const sec of s.sectors) {
    const x = state.rrg[sec.symbol] ?? emptyRrg();
    rrg[sec.symbol] = { rsRatio: r6(x.rsRatio), rsMomentum: r6(x.rsMomentum), quadrant: x.quadrant };
  }
  return { v: 1, t: new Date(e.now.t).toISOString(), rrg };
}
