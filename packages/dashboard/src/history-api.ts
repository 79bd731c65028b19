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
  await Promise.all(
    pairs.map(async (pair) => {
      const query = new URLSearchParams({ series: 'spread', pair, window, limit: String(HISTORY_MAX_LIMIT) });
      try {
        const res = await fetch(`${base}/api/v1/history?${query}`, { cache: 'no-store', headers: apiHeaders(token) });
        if (!res.ok) {
          error = `history of ${pair}: HTTP ${res.status}`;
          return;
        }
        const page = HistoryPage.safeParse(await res.json());
        if (!page.success || page.data.series !== 'spread') {
          error = `history of ${pair}: not a spread history page`;
          return;
        }
        for (const p of page.data.points) if (p.spreadPp !== null) points.push({ window, pair, point: { x: Date.parse(p.t), y: p.spreadPp } });
      } catch {
        error = 'the gateway cannot be reached for the chart history';
      }
    }),
  );
  return { points, error };
}
