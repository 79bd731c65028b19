import { z } from 'zod';
import { Symbol, WindowLabel } from '@rotation/schemas';

/** A duration like 500ms, 30s, 5m, 1h, 1d, 7d, 2w, as milliseconds. */
export const DurationMs = z
  .union([z.int().min(0), z.string().regex(/^\d+(ms|s|m|h|d|w)$/, 'expected a duration like 30s, 5m, 1h, 1d')])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const Sector = z.strictObject({ symbol: Symbol, name: z.string().min(1) });

/** A basket is priced as the equal-weighted average of its members' returns. */
const Basket = z.strictObject({
  id: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'basket id must be upper case'),
  name: z.string().min(1),
  symbols: z.array(Symbol).min(1),
});

const Pair = z.strictObject({ small: z.string().min(1), large: z.string().min(1) });

/** Tuning of the detector's analytics; every field has a default with its reason. */
export const DetectorSettings = z.strictObject({
  /**
   * A tick more than this behind the newest event time its source had published (the tick's
   * `sourceMaxTs`; without one, the newest of its partition) is dead-lettered "late".
   */
  allowedLateness: DurationMs.default(60_000),
  /**
   * Evaluation step: prices are sampled at every multiple of this in event time. Must divide
   * 30 minutes, so the session's open (09:30) and close (16:00, 13:00) are step boundaries.
   */
  historyBucket: DurationMs.default(60_000),
  spreadZScore: z
    .strictObject({
      lookbackBars: z.int().min(5).default(63), // one quarter of daily bars, as in public screeners
      threshold: z.number().positive().default(2),
    })
    .prefault({}),
  sizeRegime: z
    .strictObject({
      window: WindowLabel.default('7d'),
      enterPp: z.number().positive().default(1.5), // spread must exceed this to declare a leader
      exitPp: z.number().min(0).default(0.5), // and fall back inside this to clear it (hysteresis)
      // A new regime must hold at this many consecutive session closes before it is declared:
      // one session's swing through a threshold is noise, two in a row is a trend.
      dwellBars: z.int().min(1).default(2),
    })
    .prefault({}),
  leadership: z
    .strictObject({
      // Challenger must beat the holder by this much on a 1-session window; the detector scales
      // it by sqrt(window in sessions) because return noise grows like sqrt(time).
      marginPp: z.number().min(0).default(1.5),
      // Intraday windows: the lead must hold for this much trading time (at least a quarter of the window).
      dwell: DurationMs.default(1_800_000),
      // Windows of a session or more: decided at session closes; the lead must hold at this many
      // consecutive closes (at least a quarter of the window's sessions). 1 = a day's clear
      // leader is reported at that day's close.
      dwellBars: z.int().min(1).default(1),
    })
    .prefault({}),
  rrg: z
    .strictObject({
      // One point per session close, or per week (the last session of each week).
      bars: z.enum(['session', 'week']).default('session'),
      trend: z.int().min(2).default(14), // RS-Ratio = 100 * EMA_smoothing(RS / EMA_trend(RS))
      smoothing: z.int().min(1).default(20),
      momentum: z.int().min(2).default(20), // RS-Momentum = 100 * RS-Ratio / EMA_momentum(RS-Ratio)
      // A quadrant changes only when an axis crosses 100 by more than this (index points):
      // smaller wiggles around the benchmark are noise, not rotation.
      deadBand: z.number().min(0).default(0.05),
      tailLength: z.int().min(1).max(52).default(5),
    })
    .prefault({}),
  /**
   * What returns are computed on. `price`: prices as traded, adjusted for splits only, so a
   * dividend shows as a drop on its ex-date (what a quote screen shows). `total_return`:
   * dividends are added back at their ex-dates as well, as in an "Adj Close" series.
   */
  priceBasis: z.enum(['price', 'total_return']).default('price'),
  /**
   * A price jump by a split-like ratio (2:1, 3:2, 1:10, ...) with no known corporate action
   * quarantines the symbol's analytics (an operator notice, never a trader alert) until a
   * matching action arrives or `holdSessions` session closes have passed.
   */
  splitGuard: z
    .strictObject({
      // Moves smaller than this are never taken for a split (a 3:2 split is -33 %).
      minMovePct: z.number().min(1).max(90).default(25),
      // How close the move must come to a split ratio, relative.
      tolerancePct: z.number().min(0).max(10).default(2),
      holdSessions: z.int().min(1).default(5),
    })
    .prefault({}),
  breadthThrust: z
    .strictObject({
      low: z.number().min(0).max(100).default(40), // EMA of the advancing share, % (Zweig: 40)
      high: z.number().min(0).max(100).default(61.5), // Zweig's thrust: from below low to above high
      withinBars: z.int().min(1).default(10), // EMA span and horizon, in session bars
      // Window of the live "sectors beating the benchmark" share shown beside the thrust.
      window: WindowLabel.default('1d'),
    })
    .prefault({}),
});
export type DetectorSettings = z.infer<typeof DetectorSettings>;

/** config/universe.json: what is watched and how it is compared. Unknown keys are errors. */
export const UniverseFile = z
  .strictObject({
    benchmark: Symbol,
    equalWeight: Symbol,
    smallCaps: z.array(Symbol).min(1),
    largeCaps: z.array(Symbol).min(1),
    sectors: z.array(Sector).min(2),
    baskets: z.array(Basket).default([]),
    pairs: z.array(Pair).min(1),
    windows: z.array(WindowLabel).min(1),
    /** Exchange calendar whose sessions define closes, bars and trading time. */
    calendar: z.string().min(1).default('XNYS'),
    /** Provider spelling -> canonical symbol, e.g. "BRK/B" -> "BRK.B". */
    aliases: z.record(z.string(), Symbol).default({}),
    /** Optional single stocks for advance/decline breadth. */
    constituents: z.array(Symbol).default([]),
    detector: DetectorSettings.prefault({}),
  })
  .superRefine((u, ctx) => {
    const known = new Set<string>([
      u.benchmark,
      u.equalWeight,
      ...u.smallCaps,
      ...u.largeCaps,
      ...u.sectors.map((s) => s.symbol),
      ...u.baskets.flatMap((b) => b.symbols),
      ...u.constituents,
    ]);
    const basketIds = new Set(u.baskets.map((b) => b.id));
    u.pairs.forEach((p, i) => {
      for (const side of ['small', 'large'] as const) {
        if (!known.has(p[side]) && !basketIds.has(p[side])) {
          ctx.addIssue({
            code: 'custom',
            path: ['pairs', i, side],
            message: `"${p[side]}" is neither a symbol of the universe nor a basket id`,
          });
        }
      }
    });
    const seen = new Set<string>();
    u.sectors.forEach((s, i) => {
      if (seen.has(s.symbol)) ctx.addIssue({ code: 'custom', path: ['sectors', i, 'symbol'], message: `duplicate sector ${s.symbol}` });
      seen.add(s.symbol);
    });
  });
export type UniverseFile = z.infer<typeof UniverseFile>;

export interface Universe extends UniverseFile {
  /** Every tradable symbol the pipeline accepts, sorted. */
  symbols: string[];
}

export function withSymbols(file: UniverseFile): Universe {
  const symbols = new Set<string>([
    file.benchmark,
    file.equalWeight,
    ...file.smallCaps,
    ...file.largeCaps,
    ...file.sectors.map((s) => s.symbol),
    ...file.baskets.flatMap((b) => b.symbols),
    ...file.constituents,
  ]);
  return { ...file, symbols: [...symbols].sort() };
}
