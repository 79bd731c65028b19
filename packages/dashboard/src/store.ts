/**
 * The dashboard's state, derived only from what the stream delivers: pure functions so that
 * ordering, deduplication and history trimming are tested without a browser or a socket.
 * Sequencing, gaps and resume are the client's job (@rotation/client); this store sees values.
 */
import type { Alert, Breadth, RrgPoint, SectorWindow, SpreadPoint, StateChannel } from '@rotation/schemas';

/** A chart point: x = event time (ms) of the snapshot the value is from, y = the spread in pp. */
export interface ChartPoint {
  x: number;
  y: number;
}

/** Spread series on the market clock: window -> pair -> points, oldest first, one per event time. */
export type SpreadHistory = Record<string, Record<string, ChartPoint[]>>;

export interface DashboardState {
  /** `null` until the channel's first snapshot: the panel shows "loading", not "empty". */
  spreads: SpreadPoint[] | null;
  /** From GET /api/v1/history on open and on a window switch, then from every update. */
  spreadHistory: SpreadHistory;
  /** Event time (the snapshot's asOf) of the newest state value: the market clock. */
  asOf: string | null;
  sectors: SectorWindow[] | null;
  rrg: RrgPoint[] | null;
  breadth: Breadth | null;
  /** Newest first; `null` until the alert channel is subscribed. */
  alerts: Alert[] | null;
  lastUpdateMs: number | null;
}

export const LIMITS = {
  /** Alerts kept in the feed; older ones are in GET /api/v1/alerts. */
  alerts: 200,
  /**
   * Points kept per pair and window: the 720 the detector keeps per window (GET
   * /api/v1/history) and as many live ones again.
   */
  chartPoints: 1_440,
} as const;

export function initialState(): DashboardState {
  return { spreads: null, spreadHistory: {}, asOf: null, sectors: null, rrg: null, breadth: null, alerts: null, lastUpdateMs: null };
}

export type StateValue =
  | { channel: 'spreads'; value: SpreadPoint[] }
  | { channel: 'sectors'; value: SectorWindow[] }
  | { channel: 'rrg'; value: RrgPoint[] }
  | { channel: 'breadth'; value: Breadth };

/**
 * A state channel's current value (snapshot, event or resync alike: state channels carry whole
 * values). `asOf` is the event time the value is from; without one (an older gateway) the value
 * is shown but not charted, since the chart's axis is event time.
 */
export function applyState(state: DashboardState, update: StateValue, nowMs: number, asOf: string | null = null): DashboardState {
  const clock = asOf !== null && (state.asOf === null || Date.parse(asOf) >= Date.parse(state.asOf)) ? asOf : state.asOf;
  state = { ...state, asOf: clock };
  switch (update.channel) {
    case 'spreads': {
      const t = asOf === null ? NaN : Date.parse(asOf);
      const live = Number.isFinite(t) ? update.value.filter((p) => p.spreadPp !== null).map((p) => ({ window: p.window, pair: p.pair, point: { x: t, y: p.spreadPp! } })) : [];
      return { ...state, spreads: update.value, spreadHistory: addPoints(state.spreadHistory, live), lastUpdateMs: nowMs };
    }
    case 'sectors':
      return { ...state, sectors: update.value, lastUpdateMs: nowMs };
    case 'rrg':
      return { ...state, rrg: update.value, lastUpdateMs: nowMs };
    case 'breadth':
      return { ...state, breadth: update.value, lastUpdateMs: nowMs };
  }
}

/** New alerts (live, replayed or from the history snapshot) merged into the feed. */
export function applyAlerts(state: DashboardState, alerts: readonly Alert[], nowMs: number): DashboardState {
  return { ...state, alerts: mergeAlerts(state.alerts ?? [], alerts), lastUpdateMs: alerts.length > 0 ? nowMs : state.lastUpdateMs };
}

/** The alert channel is subscribed: an empty history now means "no alerts yet", not "loading". */
export function alertsReady(state: DashboardState): DashboardState {
  return state.alerts === null ? { ...state, alerts: [] } : state;
}

export const STATE_CHANNELS: readonly StateChannel[] = ['spreads', 'sectors', 'rrg', 'breadth'];

/**
 * Merges points into the series (history pages and live values alike): ordered by event time,
 * one point per event time (a later value for the same instant replaces the earlier), at most
 * LIMITS.chartPoints per series, the oldest dropped.
 */
export function addPoints(history: SpreadHistory, points: ReadonlyArray<{ window: string; pair: string; point: ChartPoint }>): SpreadHistory {
  if (points.length === 0) return history;
  const grouped = new Map<string, { window: string; pair: string; points: ChartPoint[] }>();
  for (const { window, pair, point } of points) {
    const key = `${window}\u0000${pair}`;
    const g = grouped.get(key);
    if (g) g.points.push(point);
    else grouped.set(key, { window, pair, points: [point] });
  }
  const next: SpreadHistory = { ...history };
  for (const { window, pair, points: incoming } of grouped.values()) {
    const merged = mergeSeries(history[window]?.[pair] ?? [], incoming);
    next[window] = { ...next[window], [pair]: merged.length > LIMITS.chartPoints ? merged.slice(-LIMITS.chartPoints) : merged };
  }
  return next;
}

/**
 * A live update is one point at or after the newest: appended (or replacing the newest) in
 * O(n) copying, with no sort. It arrives many times a second during a fast replay, so the
 * general merge (a history page, a frame out of order) is kept for the rest.
 */
function mergeSeries(series: readonly ChartPoint[], incoming: readonly ChartPoint[]): ChartPoint[] {
  const last = series[series.length - 1];
  if (incoming.length === 1 && (last === undefined || incoming[0]!.x >= last.x)) {
    return last !== undefined && incoming[0]!.x === last.x ? [...series.slice(0, -1), incoming[0]!] : [...series, incoming[0]!];
  }
  const byX = new Map(series.map((p) => [p.x, p.y]));
  for (const p of incoming) byX.set(p.x, p.y);
  return [...byX].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y }));
}

/** Newest first by seq (else event time), one entry per id, at most LIMITS.alerts. */
export function mergeAlerts(existing: readonly Alert[], incoming: readonly Alert[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of existing) byId.set(a.id, a);
  for (const a of incoming) byId.set(a.id, a);
  return [...byId.values()].sort(compareAlerts).slice(0, LIMITS.alerts);
}

function compareAlerts(a: Alert, b: Alert): number {
  if (a.seq !== undefined && b.seq !== undefined && a.seq !== b.seq) return b.seq - a.seq;
  const t = Date.parse(b.eventTime) - Date.parse(a.eventTime);
  return t !== 0 ? t : a.id < b.id ? 1 : -1;
}
