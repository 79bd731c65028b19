import type { SessionBars } from './state.js';

export function emptyBars(): SessionBars {
  return { sessions: [], closes: {} };
}

/**
 * The symbol's close at the newest bar whose session index is at or before `sessionIndex`:
 * "the last close at or before". NaN when no kept bar is that old or the symbol had no price.
 * Bars are few (the longest window's sessions plus two), so a scan from the end is O(window).
 */
export function closeAtOrBefore(bars: SessionBars, symbol: string, sessionIndex: number): number {
  const list = bars.closes[symbol];
  if (!list) return NaN;
  for (let i = bars.sessions.length - 1; i >= 0; i--) {
    if (bars.sessions[i]! <= sessionIndex) return list[i] ?? NaN;
  }
  return NaN;
}

/** Appends one session's closes (NaN = no price yet) and keeps the newest `keep` bars. */
export function appendBar(bars: SessionBars, sessionIndex: number, closes: ReadonlyMap<string, number>, keep: number): void {
  bars.sessions.push(sessionIndex);
  for (const [sym, close] of closes) {
    const list = (bars.closes[sym] ??= new Array<number | null>(bars.sessions.length - 1).fill(null));
    list.push(Number.isFinite(close) ? close : null);
  }
  const drop = bars.sessions.length - keep;
  if (drop > 0) {
    bars.sessions.splice(0, drop);
    for (const list of Object.values(bars.closes)) list.splice(0, drop);
  }
}
