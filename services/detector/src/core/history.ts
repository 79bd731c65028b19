import type { RrgHistoryEntry, Snapshot, WindowHistoryEntry } from '@rotation/schemas';
import type { CompiledSettings } from './settings.js';
import { SESSION_MS } from './windows.js';

/**
 * Point history for charts (`GET /api/v1/history`): the detector records some of its
 * snapshots, per window, in the commit that writes the snapshot. A window's chart wants about
 * POINTS_PER_WINDOW points across one window length, so a point is recorded only once the
 * snapshot's event time is `spacingMs` past the window's previous point (never closer than one
 * step), and HISTORY_POINTS points are kept: twelve window lengths of trading time (5m: the
 * last 12 h of trading at one point a step; 1d: about 11 sessions; 7d: about 12 weeks).
 */
export const POINTS_PER_WINDOW = 60;
export const HISTORY_POINTS = POINTS_PER_WINDOW * 12;

export interface HistoryTrack {
  /** A window label, or "rrg". */
  id: string;
  spacingMs: number;
  maxPoints: number;
}

/** One track per window, plus the RRG's (on session bars: spaced like the longest window). */
export function historyTracks(s: CompiledSettings): HistoryTrack[] {
  const spacing = (sessionLength: number) => Math.max(s.stepMs, Math.floor((sessionLength * SESSION_MS) / POINTS_PER_WINDOW / s.stepMs) * s.stepMs);
  const windows = s.windows.map((w) => ({ id: w.label, spacingMs: spacing(w.sessionLength), maxPoints: HISTORY_POINTS }));
  const longest = Math.max(s.stepMs, ...windows.map((w) => w.spacingMs));
  return [...windows, { id: RRG_TRACK, spacingMs: longest, maxPoints: HISTORY_POINTS }];
}

export const RRG_TRACK = 'rrg';

/** A snapshot at event time t is due on a track whose newest point is at `last` (null: none yet). */
export function historyDue(track: HistoryTrack, last: number | null, t: number): boolean {
  return last === null || t - last >= track.spacingMs;
}

/** The entry of one window's track: every number the snapshot holds for that window. */
export function windowEntry(snapshot: Snapshot, version: number, window: string): WindowHistoryEntry {
  const spreads: WindowHistoryEntry['spreads'] = {};
  for (const p of snapshot.spreads) {
    if (p.window !== window) continue;
    spreads[p.pair] = { spreadPp: p.spreadPp, smallReturnPct: p.smallReturnPct, largeReturnPct: p.largeReturnPct, ratio: p.ratio, zScore: p.zScore };
  }
  const returns: WindowHistoryEntry['returns'] = {};
  for (const [sym, byWindow] of Object.entries(snapshot.returns)) returns[sym] = byWindow[window] ?? null;
  const sectors = snapshot.sectors.find((x) => x.window === window);
  const ranks: WindowHistoryEntry['ranks'] = {};
  for (const row of sectors?.ranking ?? []) ranks[row.symbol] = { rank: row.rank, returnPct: row.returnPct, relativePct: row.relativePct };
  return { v: 1, t: snapshot.asOf!, version, spreads, returns, ranks, leader: sectors?.leader ?? null, laggard: sectors?.laggard ?? null };
}

export function rrgEntry(snapshot: Snapshot, version: number): RrgHistoryEntry {
  const rrg: RrgHistoryEntry['rrg'] = {};
  for (const p of snapshot.rrg) rrg[p.symbol] = { rsRatio: p.rsRatio, rsMomentum: p.rsMomentum, quadrant: p.quadrant };
  return { v: 1, t: snapshot.asOf!, version, rrg };
}

export interface HistoryWrite {
  track: HistoryTrack;
  /** Event time in ms: the stream entry's id is `<t>-0`. */
  t: number;
  entry: WindowHistoryEntry | RrgHistoryEntry;
}

/** The points a committed snapshot adds, given each track's newest point. */
export function historyWrites(tracks: readonly HistoryTrack[], last: ReadonlyMap<string, number>, snapshot: Snapshot, version: number): HistoryWrite[] {
  if (snapshot.asOf === null) return [];
  const t = Date.parse(snapshot.asOf);
  const out: HistoryWrite[] = [];
  for (const track of tracks) {
    if (!historyDue(track, last.get(track.id) ?? null, t)) continue;
    out.push({ track, t, entry: track.id === RRG_TRACK ? rrgEntry(snapshot, version) : windowEntry(snapshot, version, track.id) });
  }
  return out;
}
