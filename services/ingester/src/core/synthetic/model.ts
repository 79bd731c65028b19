import type { Universe } from '@rotation/config';

/** Factor indices: 0 market, 1 size, 2 ai, 3.. one per sector (universe order). */
export const MARKET = 0, SIZE = 1, AI = 2, FIRST_SECTOR = 3;

/**
 * Daily volatilities (log returns), roughly those of US ETFs in a calm year: SPY about 1 %, the
 * small caps (market beta 1.1-1.15 plus the size factor) about 1.35 times that, sector ETFs in
 * between or below (their own factor on top of their beta). Checked in generator.test.ts.
 */
export const DAILY_VOL = { market: 0.01, size: 0.007, ai: 0.008, sector: 0.005, etfIdio: 0.002, stockIdio: 0.012 } as const;

/** Approximate late-2024 prices, so synthetic ticks look like the real tape. Others start at 100. */
const BASE_PRICE: Readonly<Record<string, number>> = {
  SPY: 590, RSP: 180, IWM: 230, IJR: 120, QQQ: 510, DIA: 440,
  XLB: 90, XLC: 95, XLE: 92, XLF: 48, XLI: 138, XLK: 235, XLP: 80, XLRE: 43, XLU: 80, XLV: 145, XLY: 215,
  NVDA: 140, MSFT: 420, AVGO: 165, GOOGL: 170, META: 560, AMZN: 200, AAPL: 225, TSLA: 340,
};

const MARKET_BETA: Readonly<Record<string, number>> = {
  IWM: 1.15, IJR: 1.1, QQQ: 1.15, DIA: 0.9, RSP: 1, SPY: 1,
  XLK: 1.2, XLY: 1.15, XLC: 1.05, XLF: 1.05, XLI: 1, XLB: 1, XLE: 0.95, XLRE: 0.85, XLV: 0.75, XLP: 0.6, XLU: 0.55,
};

export interface SymbolModel {
  symbol: string;
  basePrice: number;
  /** Loading on each factor, indexed as above. */
  loadings: Float64Array;
  idioVol: number;
}

/**
 * Factor loadings derived from the universe's roles, so a different universe file still gets
 * a sensible model: small caps load on size, sector ETFs on their sector, basket members on
 * ai and technology, cap-weighted indexes a little on both (they are tech-heavy).
 */
export function buildModel(universe: Pick<Universe, 'symbols' | 'smallCaps' | 'largeCaps' | 'sectors' | 'baskets' | 'equalWeight'>): { factors: number; symbols: SymbolModel[] } {
  const sectorIndex = new Map(universe.sectors.map((s, i) => [s.symbol, FIRST_SECTOR + i]));
  const factors = FIRST_SECTOR + universe.sectors.length;
  const tech = sectorIndex.get('XLK');
  const basketMembers = new Set(universe.baskets.flatMap((b) => b.symbols));
  const small = new Set(universe.smallCaps);
  const large = new Set(universe.largeCaps);
  const symbols = universe.symbols.map((symbol): SymbolModel => {
    const l = new Float64Array(factors);
    l[MARKET] = MARKET_BETA[symbol] ?? 1.1;
    let idioVol: number = DAILY_VOL.etfIdio;
    const sector = sectorIndex.get(symbol);
    if (sector !== undefined) l[sector] = 1;
    if (small.has(symbol)) l[SIZE] = 1;
    else if (symbol === universe.equalWeight) l[SIZE] = 0.3;
    else if (large.has(symbol)) {
      const techHeavy = symbol === 'QQQ' ? 1 : symbol === 'DIA' ? 0 : 0.4;
      l[SIZE] = -0.1 - 0.1 * techHeavy;
      l[AI] = 0.5 * techHeavy;
      if (tech !== undefined) l[tech] = 0.5 * techHeavy;
    } else if (basketMembers.has(symbol)) {
      l[AI] = 1;
      if (tech !== undefined) l[tech] = 0.6;
      idioVol = DAILY_VOL.stockIdio;
    } else if (sector === undefined) idioVol = DAILY_VOL.stockIdio;
    return { symbol, basePrice: BASE_PRICE[symbol] ?? 100, loadings: l, idioVol };
  });
  return { factors, symbols };
}
