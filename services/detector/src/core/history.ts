import type { RrgHistoryEntry, Snapshot, WindowHistoryEntry } from '@rotation/schemas';
import type { CompiledSettings } from './settings.js';
import { SESSION_MS } from './windows.js';

/**
 * Point history for charts (`GET /api/v1/history`): the detector records, per window, the
 * snapshot at some of its evaluated steps (any step, not only a batch's last, so a replay at
 * full speed leaves as full a history as a live feed), in the commit of the batch that
 * evaluated them; the state keeps each track's newest point, so a redelivered batch records
 * nothing twice. A window's chart wants about
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

/** The entry of one window's track from a whole snapshot: every number it holds for that window (the reference the detector's own projection must equal). */
export function windowEntry(snapshot: Snapshot, window: string): WindowHistoryEntry {
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
  return { v: 1, t: snapshot.asOf!, spreads, returns, ranks, leader: sectors?.leader ?? null, laggard: sectors?.laggard ?? null };
}

export function rrgEntry(snapshot: Snapshot): RrgHistoryEntry {
  const rrg: RrgHistoryEntry['rrg'] = {};
  for (const p of snapshot.rrg) rrg[p.symbol] = { rsRatio: p.rsRatio, rsMomentum: p.rsMomentum, quadrant: p.quadrant };
  return { v: 1, t: snapshot.asOf!, rrg };
}

export interface HistoryWrite {
  track: HistoryTrack;
  /** Event time in ms: the stream entry's id is `<t>-0`. */
  t: number;
  entry: WindowHistoryEntry | RrgHistoryEntry;
}

/**
 * Collects the points of the steps a batch evaluates. `due` is asked at every step (cheap);
 * `record` takes the step's snapshot, built only when some track is due. At most a track's
 * maxPoints are held per batch: older ones would be trimmed by the stream anyway.
 */
export class HistoryRecorder {
  readonly #tracks: readonly HistoryTrack[];
  #held = new Map<string, HistoryWrite[]>();

  constructor(tracks: readonly HistoryTrack[]) {
    this.#tracks = tracks;
  }

  /** The tracks due at t, given each track's newest point (the state's `history`). */
  due(newest: Readonly<Record<string, number>>, t: number): HistoryTrack[] {
    return this.#tracks.filter((track) => historyDue(track, newest[track.id] ?? null, t));
  }

  /** Records the step at t on the tracks due (`entryOf` projects its values), moving their newest point. */
  record(due: readonly HistoryTrack[], newest: Record<string, number>, t: number, entryOf: (track: HistoryTrack) => WindowHistoryEntry | RrgHistoryEntry): void {
    for (const track of due) {
      newest[track.id] = t;
      let list = this.#held.get(track.id);
      if (!list) this.#held.set(track.id, (list = []));
      list.push({ track, t, entry: entryOf(track) });
      if (list.length > track.maxPoints) list.shift();
    }
  }

  /** The points recorded since the last call, per track in event-time order. */
  take(): HistoryWrite[] {
    const out = [...this.#held.values()].flat();
    this.#held = new Map();
    return out;
  }
}
