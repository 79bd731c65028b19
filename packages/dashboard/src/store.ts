/**
 * The dashboard's state, derived only from what the stream delivers: pure functions so that
 * ordering, deduplication and history trimming are tested without a browser or a socket.
 * Sequencing, gaps and resume are the client's job (@rotation/client); this store sees values.
 */
import type { Alert, Breadth, RrgPoint, SectorWindow, SpreadPoint, StateChannel } from '@rotation/schemas';

/** One sample of every spread, taken when an update arrived (updates carry no event time). */
export interface SpreadSample {
  t: number;
  points: SpreadPoint[];
}

export interface DashboardState {
  /** `null` until the channel's first snapshot: the panel shows "loading", not "empty". */
  spreads: SpreadPoint[] | null;
  spreadHistory: SpreadSample[];
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
  /** Spread samples kept: at one a second, a quarter of an hour of chart. */
  spreadSamples: 900,
  /** Updates closer together than this replace the last sample instead of adding one. */
  spreadSampleMs: 1_000,
} as const;

export function initialState(): DashboardState {
  return { spreads: null, spreadHistory: [], sectors: null, rrg: null, breadth: null, alerts: null, lastUpdateMs: null };
}

export type StateValue =
  | { channel: 'spreads'; value: SpreadPoint[] }
  | { channel: 'sectors'; value: SectorWindow[] }
  | { channel: 'rrg'; value: RrgPoint[] }
  | { channel: 'breadth'; value: Breadth };

/** A state channel's current value (snapshot, event or resync alike: state channels carry whole values). */
export function applyState(state: DashboardState, update: StateValue, nowMs: number): DashboardState {
  switch (update.channel) {
    case 'spreads':
      return { ...state, spreads: update.value, spreadHistory: addSample(state.spreadHistory, { t: nowMs, points: update.value }), lastUpdateMs: nowMs };
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

export function addSample(history: readonly SpreadSample[], sample: SpreadSample): SpreadSample[] {
  const last = history[history.length - 1];
  const next = last && sample.t - last.t < LIMITS.spreadSampleMs ? [...history.slice(0, -1), sample] : [...history, sample];
  return next.length > LIMITS.spreadSamples ? next.slice(next.length - LIMITS.spreadSamples) : next;
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
