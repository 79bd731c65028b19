/**
 * How a resume's replay is cut into pages. A replay used to be one read of up to
 * GATEWAY_REPLAY_MAX + 1 entries and one burst of frames per resume; a handful of clients
 * doing that stalled the shared Redis for every namespace (issue #19). Pages keep each Redis
 * command short and let the connection take the next page only when it has drained the last.
 */
export interface Page {
  from: number;
  to: number;
}

/** The next page of seqs from `from` to `to` (inclusive), at most `size` long; undefined when done. */
export function nextPage(from: number, to: number, size: number): Page | undefined {
  if (from > to) return undefined;
  return { from, to: Math.min(to, from + Math.max(1, size) - 1) };
}

/** Where the page's seqs come from: the in-memory log when it reaches back to `from`, else Redis. */
export function pageSource(page: Page, memoryFirst: number | undefined, memoryHead: number): 'memory' | 'redis' {
  return memoryFirst !== undefined && page.from >= memoryFirst && page.to <= memoryHead ? 'memory' : 'redis';
}
