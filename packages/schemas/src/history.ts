import { z } from 'zod';
import { Symbol, WindowLabel } from './primitives.js';
import { Quadrant } from './snapshot.js';

/**
 * Point history: what the detector records of the snapshot at an evaluated step (every step
 * a track is due on, not only the last one of a batch), in the commit of that batch, and what
 * `GET /api/v1/history` serves. One stored entry per recorded step and window (stream
 * `<ns>:history:window:<w>`) or for the RRG (`<ns>:history:rrg`), keyed by the step's event
 * time; docs/redis-keys.md gives the bounds.
 */

const Num = z.number().nullable();

/** One pair's spread at a recorded snapshot: the SpreadPoint's numbers. */
export const SpreadValues = z.strictObject({
  spreadPp: Num,
  smallReturnPct: Num,
  largeReturnPct: Num,
  ratio: Num,
  zScore: Num,
});
export type SpreadValues = z.infer<typeof SpreadValues>;

/** One sector's place in a window's ranking at a recorded snapshot. */
export const RankValues = z.strictObject({
  rank: z.int().min(1),
  returnPct: z.number(),
  relativePct: Num,
});
export type RankValues = z.infer<typeof RankValues>;

export const RrgValues = z.strictObject({
  rsRatio: Num,
  rsMomentum: Num,
  quadrant: Quadrant.nullable(),
});
export type RrgValues = z.infer<typeof RrgValues>;

/**
 * A stored entry of `<ns>:history:window:<w>` (field `p`):
 *   {"v":1,"t":"2024-03-08T21:00:00.000Z","spreads":{"IWM/SPY":{…}},
 *    "returns":{"IWM":3.25},"ranks":{"XLK":{"rank":1,…}},"leader":"XLK","laggard":"XLU"}
 */
export const WindowHistoryEntry = z.strictObject({
  v: z.literal(1),
  t: z.iso.datetime(),
  spreads: z.record(z.string(), SpreadValues),
  returns: z.record(z.string(), Num),
  ranks: z.record(z.string(), RankValues),
  leader: Symbol.nullable(),
  laggard: Symbol.nullable(),
});
export type WindowHistoryEntry = z.infer<typeof WindowHistoryEntry>;

/** A stored entry of `<ns>:history:rrg` (field `p`): {"v":1,"t":"…","rrg":{"XLK":{…}}} */
export const RrgHistoryEntry = z.strictObject({
  v: z.literal(1),
  t: z.iso.datetime(),
  rrg: z.record(z.string(), RrgValues),
});
export type RrgHistoryEntry = z.infer<typeof RrgHistoryEntry>;

export const HistorySeries = z.enum(['spread', 'return', 'rank', 'rrg']);
export type HistorySeries = z.infer<typeof HistorySeries>;

/** Most points one page holds; the default page is HISTORY_DEFAULT_LIMIT. */
export const HISTORY_MAX_LIMIT = 2_000;
export const HISTORY_DEFAULT_LIMIT = 500;

/** An event time as ISO 8601 (with a zone) or epoch milliseconds. */
const TimeParam = z.union([z.string().regex(/^\d{1,15}$/).transform(Number), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);

/**
 * The query of `GET /api/v1/history` (all strings, as they arrive):
 *   ?series=spread&pair=IWM/SPY&window=7d&from=2024-03-01T00:00:00Z&to=1709935200000&limit=200&cursor=…
 * `pair` names a spread's pair; `symbol` a return's symbol or basket, a rank's or RRG's
 * sector. `window` is required except for `rrg` (which has none). `cursor` is the `next` of
 * the previous page.
 */
export const HistoryQuery = z
  .strictObject({
    series: HistorySeries,
    pair: z.string().regex(/^[A-Z0-9.-]{1,16}\/[A-Z0-9.-]{1,16}$/, 'pair must look like IWM/SPY').optional(),
    symbol: Symbol.optional(),
    window: WindowLabel.optional(),
    from: TimeParam.optional(),
    to: TimeParam.optional(),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, `limit must be an integer from 1 to ${HISTORY_MAX_LIMIT}`)
      .transform(Number)
      .pipe(z.int().min(1).max(HISTORY_MAX_LIMIT))
      .optional(),
    cursor: z.string().regex(/^\d{1,15}-\d{1,15}$/, 'cursor must be the next value of a previous page').optional(),
    token: z.string().max(4096).optional(),
  })
  .superRefine((q, ctx) => {
    const subject = q.series === 'spread' ? 'pair' : 'symbol';
    const other = subject === 'pair' ? 'symbol' : 'pair';
    if (q[subject] === undefined) ctx.addIssue({ code: 'custom', path: [subject], message: `series=${q.series} needs ${subject}=` });
    if (q[other] !== undefined) ctx.addIssue({ code: 'custom', path: [other], message: `series=${q.series} takes ${subject}=, not ${other}=` });
    if (q.series === 'rrg' && q.window !== undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: 'series=rrg has no window (RRG points are on session bars)' });
    if (q.series !== 'rrg' && q.window === undefined) ctx.addIssue({ code: 'custom', path: ['window'], message: `series=${q.series} needs window=` });
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
  });
export type HistoryQuery = z.infer<typeof HistoryQuery>;

const PointBase = { t: z.iso.datetime() };

export const SpreadHistoryPoint = z.strictObject({ ...PointBase, ...SpreadValues.shape });
export const ReturnHistoryPoint = z.strictObject({ ...PointBase, returnPct: Num });
export const RankHistoryPoint = z.strictObject({ ...PointBase, ...RankValues.shape, leader: z.boolean(), laggard: z.boolean() });
export const RrgHistoryPoint = z.strictObject({ ...PointBase, ...RrgValues.shape });

const page = { window: WindowLabel.nullable(), subject: z.string(), next: z.string().nullable() };

/**
 * The answer of `GET /api/v1/history`: points oldest first by event time, at most `limit`;
 * `next` is the cursor of the following page, null on the last one.
 *   {"series":"spread","subject":"IWM/SPY","window":"7d","points":[{"t":"…","spreadPp":3.97,…}],"next":"1709931600000-0"}
 */
export const HistoryPage = z.discriminatedUnion('series', [
  z.strictObject({ series: z.literal('spread'), ...page, points: z.array(SpreadHistoryPoint) }),
  z.strictObject({ series: z.literal('return'), ...page, points: z.array(ReturnHistoryPoint) }),
  z.strictObject({ series: z.literal('rank'), ...page, points: z.array(RankHistoryPoint) }),
  z.strictObject({ series: z.literal('rrg'), ...page, points: z.array(RrgHistoryPoint) }),
]);
export type HistoryPage = z.infer<typeof HistoryPage>;
