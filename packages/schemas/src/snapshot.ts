import { z } from 'zod';
import { Symbol, WindowLabel } from './primitives.js';

export const Quadrant = z.enum(['leading', 'weakening', 'lagging', 'improving']);
export type Quadrant = z.infer<typeof Quadrant>;

/** Percent: 3.25 means +3.25 %. */
const Pct = z.number();

export const SpreadPoint = z.strictObject({
  pair: z.string(), // "IWM/SPY"
  small: z.string(), // a symbol or a basket id ("AI")
  large: z.string(),
  window: WindowLabel,
  smallReturnPct: Pct.nullable(),
  largeReturnPct: Pct.nullable(),
  spreadPp: z.number().nullable(),
  ratio: z.number().nullable(), // ratio line rebased to 100 at the first common price
  zScore: z.number().nullable(), // null until the lookback is warm
});
export type SpreadPoint = z.infer<typeof SpreadPoint>;

export const SectorRank = z.strictObject({
  symbol: Symbol,
  name: z.string(),
  returnPct: Pct,
  relativePct: Pct.nullable(), // return minus the benchmark's return over the same window, in pp; null while the benchmark has none
  rank: z.int().min(1),
});
export type SectorRank = z.infer<typeof SectorRank>;

export const SectorWindow = z.strictObject({
  window: WindowLabel,
  ranking: z.array(SectorRank), // best first
  leader: Symbol.nullable(),
  laggard: Symbol.nullable(),
  rotationIntensity: z.number().nullable(),
});
export type SectorWindow = z.infer<typeof SectorWindow>;

export const RrgTailPoint = z.strictObject({
  t: z.iso.datetime(),
  rsRatio: z.number(),
  rsMomentum: z.number(),
});

export const RrgPoint = z.strictObject({
  symbol: Symbol,
  rsRatio: z.number().nullable(),
  rsMomentum: z.number().nullable(),
  quadrant: Quadrant.nullable(),
  warm: z.boolean(),
  tail: z.array(RrgTailPoint),
});
export type RrgPoint = z.infer<typeof RrgPoint>;

export const Breadth = z.strictObject({
  window: WindowLabel.optional(),
  sectorsBeatingBenchmarkPct: z.number().nullable(),
  sectorsLeadingOrImprovingPct: z.number().nullable(),
  // Share of issues (constituents, else sectors) that rose over the last closed session: the
  // input of Zweig's breadth thrust.
  advancingPct: z.number().nullable().optional(),
  constituents: z
    .strictObject({
      advancers: z.int().min(0),
      decliners: z.int().min(0),
      unchanged: z.int().min(0),
      adLine: z.number(),
      mcclellan: z.number().nullable(),
    })
    .nullable(),
});
export type Breadth = z.infer<typeof Breadth>;

export const WindowInfo = z.strictObject({
  window: WindowLabel,
  kind: z.enum(['intraday', 'sessions', 'calendar']),
  description: z.string(),
});

/** Where in the exchange's calendar the snapshot stands. */
export const MarketTime = z.strictObject({
  calendar: z.string(), // "XNYS"
  session: z.iso.date(), // New York date of the session asOf belongs to
  atClose: z.boolean(), // asOf is that session's close
  windows: z.array(WindowInfo),
  /**
   * What returns are computed on: `price` (split-adjusted prices, a dividend is a drop on its
   * ex-date, as a quote screen shows) or `total_return` (dividends added back).
   */
  priceBasis: z.enum(['price', 'total_return']).optional(),
});
export type MarketTime = z.infer<typeof MarketTime>;

/**
 * A symbol whose analytics are held: its price jumped by a split-like ratio with no known
 * corporate action. It has no returns, spreads, ranks or RRG points until an action explains
 * the jump or the hold expires.
 *   {"symbol":"NVDA","since":"2024-06-10T13:31:00.000Z","movePct":-90.01,"splitRatio":10}
 */
export const QuarantinedSymbol = z.strictObject({
  symbol: z.string(),
  since: z.iso.datetime(),
  movePct: z.number(),
  splitRatio: z.number().positive(),
});
export type QuarantinedSymbol = z.infer<typeof QuarantinedSymbol>;

/**
 * The detector's state as read by the gateway (`GET /api/v1/snapshot`, state channels).
 *   {"asOf":"2024-03-08T21:00:00.000Z","returns":{"IWM":{"7d":3.25}},"spreads":[…],
 *    "sectors":[…],"rrg":[…],"breadth":{…}}
 */
export const Snapshot = z.strictObject({
  asOf: z.iso.datetime().nullable(),
  market: MarketTime.optional(),
  returns: z.record(z.string(), z.record(z.string(), Pct.nullable())),
  spreads: z.array(SpreadPoint),
  sectors: z.array(SectorWindow),
  rrg: z.array(RrgPoint),
  breadth: Breadth,
  quarantined: z.array(QuarantinedSymbol).optional(),
  /**
   * Universe symbols with no regular-session price yet, e.g. a replay of a few symbols: every
   * return, spread, rank and RRG point that needs one of them is null because of it, not
   * because it is warming up. Absent when every symbol has a price.
   */
  noData: z.array(z.string()).optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * A record on `<ns>.snapshots` (key "snapshot") and the value of the Redis key `<ns>:snapshot`.
 * `version` increases by one with every snapshot the detector commits; the gateway uses it as
 * the sequence number of its state channels.
 *   {"v":1,"version":812,"snapshot":{…}}
 */
export const SnapshotRecord = z.strictObject({
  v: z.literal(1),
  version: z.int().min(1),
  snapshot: Snapshot,
});
export type SnapshotRecord = z.infer<typeof SnapshotRecord>;
