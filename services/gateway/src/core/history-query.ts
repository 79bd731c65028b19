import { z } from 'zod';
import { HISTORY_DEFAULT_LIMIT, HistoryQuery, RankValues, RrgValues, SpreadValues, type HistoryPage, type RuleCatalog } from '@rotation/schemas';

/** Longest query string taken: the parameters fit in well under 1 KiB. */
export const MAX_HISTORY_QUERY_BYTES = 2_048;

export type ParsedHistory = { ok: true; query: HistoryQuery } | { ok: false; error: string; issues: Array<{ path: string; message: string }> };

const refuse = (error: string, issues: Array<{ path: string; message: string }> = []): ParsedHistory => ({ ok: false, error, issues });

/** Validates `GET /api/v1/history`'s parameters, then the subject and window against the universe. */
export function parseHistoryQuery(search: string, catalog: RuleCatalog): ParsedHistory {
  if (Buffer.byteLength(search) > MAX_HISTORY_QUERY_BYTES) return refuse(`the query string is over ${MAX_HISTORY_QUERY_BYTES} bytes`);
  const params = new URLSearchParams(search);
  const raw: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name in raw) return refuse(`${name} is given more than once`, [{ path: name, message: 'at most once' }]);
    raw[name] = value;
  }
  const parsed = HistoryQuery.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(query)', message: i.code === 'unrecognized_keys' ? `unknown parameter(s): ${i.keys.join(', ')}` : i.message }));
    return refuse(`invalid history query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const q = parsed.data;
  const issues: Array<{ path: string; message: string }> = [];
  if (q.window !== undefined && !catalog.windows.some((w) => w.label === q.window)) issues.push({ path: 'window', message: `${q.window} is not a configured window (${catalog.windows.map((w) => w.label).join(', ')})` });
  if (q.series === 'spread' && !catalog.pairs.includes(q.pair!)) issues.push({ path: 'pair', message: `${q.pair} is not a configured pair (${catalog.pairs.join(', ')})` });
  if (q.series === 'return' && ![...catalog.symbols, ...catalog.baskets].includes(q.symbol!)) issues.push({ path: 'symbol', message: `${q.symbol} is not a symbol or basket of the universe` });
  if ((q.series === 'rank' || q.series === 'rrg') && !catalog.sectors.includes(q.symbol!)) issues.push({ path: 'symbol', message: `${q.symbol} is not a sector of the universe (${catalog.sectors.join(', ')})` });
  if (issues.length > 0) return refuse(`invalid history query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  return { ok: true, query: q };
}

/** XRANGE bounds and count: entry ids are `<event time ms>-0`; one entry more than a page tells whether another follows. */
export function historyRange(q: HistoryQuery): { start: string; end: string; count: number; limit: number } {
  const limit = q.limit ?? HISTORY_DEFAULT_LIMIT;
  // The cursor is the last entry of the previous page, which was at or after `from`: exclusive.
  const start = q.cursor !== undefined ? `(${q.cursor}` : q.from !== undefined ? String(q.from) : '-';
  // An id without its sequence part ends at that millisecond's last entry: `to` is inclusive.
  const end = q.to !== undefined ? String(q.to) : '+';
  return { start, end, count: limit + 1, limit };
}

export type HistoryEntryRaw = [id: string, json: string];

/**
 * One page of points from stored entries, oldest first. An entry that does not parse is
 * skipped (and counted in `skipped` for the log); one without the subject (a sector before
 * its first ranking) gives no point; ordering and the cursor stay those of the stream.
 */
export function historyPage(q: HistoryQuery, entries: readonly HistoryEntryRaw[], limit: number): { page: HistoryPage; skipped: number } {
  const taken = entries.slice(0, limit);
  const next = entries.length > limit ? (taken.at(-1)?.[0] ?? null) : null;
  const subject = q.series === 'spread' ? q.pair! : q.symbol!;
  const window = q.window ?? null;
  let skipped = 0;
  const points: unknown[] = [];
  for (const [, json] of taken) {
    const point = pointOf(q.series, subject, json);
    if (point === undefined) skipped += 1;
    else if (point !== null) points.push(point);
  }
  return { page: { series: q.series, subject, window, points, next } as HistoryPage, skipped };
}

const Envelope = z.looseObject({ v: z.literal(1), t: z.iso.datetime() });
const SubjectOf = {
  spread: z.looseObject({ spreads: z.record(z.string(), z.unknown()) }),
  return: z.looseObject({ returns: z.record(z.string(), z.unknown()) }),
  rank: z.looseObject({ ranks: z.record(z.string(), z.unknown()), leader: z.string().nullable(), laggard: z.string().nullable() }),
  rrg: z.looseObject({ rrg: z.record(z.string(), z.unknown()) }),
} as const;

/**
 * The subject's point of one stored entry: null when the entry has no value for it (a sector
 * before its first ranking), undefined when the entry is not a history entry. Only the
 * envelope and the subject's own values are validated: an entry holds every subject of its
 * window (a hundred numbers), and a page reads up to 2,000 of them.
 */
function pointOf(series: HistoryQuery['series'], subject: string, json: string): Record<string, unknown> | null | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  const env = Envelope.safeParse(raw);
  const body = SubjectOf[series].safeParse(raw);
  if (!env.success || !body.success) return undefined;
  const t = env.data.t;
  const e = body.data as Record<string, unknown> & { leader?: string | null; laggard?: string | null };
  if (series === 'spread') return valued(SpreadValues, (e['spreads'] as Record<string, unknown>)[subject], t);
  if (series === 'rrg') return valued(RrgValues, (e['rrg'] as Record<string, unknown>)[subject], t);
  if (series === 'rank') {
    const v = valued(RankValues, (e['ranks'] as Record<string, unknown>)[subject], t);
    return v ? { ...v, leader: e.leader === subject, laggard: e.laggard === subject } : v;
  }
  const returns = e['returns'] as Record<string, unknown>;
  if (!(subject in returns)) return null;
  const r = z.number().nullable().safeParse(returns[subject]);
  return r.success ? { t, returnPct: r.data } : undefined;
}

function valued<T extends object>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, t: string): Record<string, unknown> | null | undefined {
  if (value === undefined) return null;
  const r = schema.safeParse(value);
  return r.success ? { t, ...r.data } : undefined;
}
