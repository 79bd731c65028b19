import { HISTORY_MAX_LIMIT, HistoryPage } from '@rotation/schemas';
import { apiHeaders } from './endpoints.js';
import type { ChartPoint } from './store.js';

export interface LoadedPoint {
  window: string;
  pair: string;
  point: ChartPoint;
}

/**
 * The recorded spread series of each pair over one window (GET /api/v1/history), so a page
 * opened now draws what happened before it was opened. One page per pair holds every kept
 * point (the detector keeps 720 per window, a page reads up to 2,000). Failures leave the chart
 * to the live values: the reason is returned for the page to show.
 */
export async function loadSpreadHistory(token: string | undefined, window: string, pairs: readonly string[], base = ''): Promise<{ points: LoadedPoint[]; error: string | null }> {
  const points: LoadedPoint[] = [];
  let error: string | null = null;
  // One pair at a time: the page opens while a replay may be pouring in, and five reads of a
  // whole window's history at once are a burst the gateway need not take.
  for (const pair of pairs) {
    const got = await onePair(token, window, pair, base);
    if (typeof got === 'string') error = got;
    else points.push(...got);
  }
  return { points, error };
}

async function onePair(token: string | undefined, window: string, pair: string, base: string): Promise<LoadedPoint[] | string> {
  const query = new URLSearchParams({ series: 'spread', pair, window, limit: String(HISTORY_MAX_LIMIT) });
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/history?${query}`, { cache: 'no-store', headers: apiHeaders(token) });
  } catch {
    return 'the gateway cannot be reached for the chart history';
  }
  if (!res.ok) return `history of ${pair}: HTTP ${res.status}`;
  const page = HistoryPage.safeParse(await res.json().catch(() => null));
  if (!page.success || page.data.series !== 'spread') return `history of ${pair}: not a spread history page`;
  const out: LoadedPoint[] = [];
  for (const p of page.data.points) if (p.spreadPp !== null) out.push({ window, pair, point: { x: Date.parse(p.t), y: p.spreadPp } });
  return out;
}
