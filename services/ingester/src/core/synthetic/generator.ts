import { getCalendar, type ExchangeCalendar, type Session } from '@rotation/calendar';
import type { Universe } from '@rotation/config';
import { AI, DAILY_VOL, FIRST_SECTOR, MARKET, SIZE, buildModel, type SymbolModel } from './model.js';
import { Mulberry32 } from './prng.js';
import { SCENARIOS, type Scenario, type ScenarioName } from './scenarios.js';

export interface SyntheticOptions {
  universe: Pick<Universe, 'symbols' | 'smallCaps' | 'largeCaps' | 'sectors' | 'baskets' | 'equalWeight'>;
  scenario: ScenarioName;
  seed: number;
  /**
   * Where the run starts, epoch ms. Inside a regular session the ticks begin just after it;
   * anywhere else (night, weekend, holiday, pre- or post-market) at the next session's open.
   */
  startMs: number;
  /** Trading time covered (regular sessions only): 23_400_000 is one full session. */
  durationMs: number;
  /** Ticks per second of trading time, across the whole universe. */
  ratePerSec: number;
  /** Sessions the ticks fall in; XNYS unless given. */
  calendar?: ExchangeCalendar;
  /**
   * Each symbol's price to start from instead of the model's base price: a run that continues
   * an earlier one (a restart, the next scenario) starts where that one's prices ended, so a
   * scenario switch changes drifts, never levels.
   */
  startPrices?: Readonly<Record<string, number>>;
  /** Multiplies the scenario's drifts: below 1 plays a rotation at a pace markets see (the demo uses 0.25). */
  driftScale?: number;
}

/** Filled in place by next(): the generator allocates nothing per tick. */
export interface SyntheticTick {
  symbol: string;
  price: number;
  size: number;
  ts: number;
}

/** A model day is one full regular session: real daily volatility is close to close, not 24 h. */
const SESSION_MS = 6.5 * 3_600_000;

/**
 * Correlated random walks for the whole universe. Time advances in steps; each step moves
 * every factor once (scenario drift + mean reversion + noise) and then emits one tick per
 * symbol, spread evenly over the step, at log price = base + loadings . factor levels + an
 * idiosyncratic walk. Same options, same seed: the same ticks, bit for bit.
 *
 * The clock counts trading time only. Each tick's trading-time offset is laid onto the
 * calendar's regular sessions one after another, so every tick is a regular-session print:
 * nothing at night, on weekends or holidays, and a half day holds 3.5 h of ticks.
 */
export class SyntheticGenerator {
  readonly total: number;
  readonly stepMs: number;
  readonly #scenario: Scenario;
  readonly #symbols: SymbolModel[];
  readonly #rng: Mulberry32;
  readonly #levels: Float64Array;
  readonly #factorVol: Float64Array;
  readonly #drift: Float64Array;
  readonly #idio: Float64Array;
  readonly #sectorSymbols: string[];
  readonly #steps: number;
  readonly #dtDays: number;
  readonly #offsets: Int32Array;
  readonly #calendar: ExchangeCalendar;
  readonly #basePrices: Float64Array;
  readonly #driftScale: number;
  #step = 0;
  #inStep: number;
  /** Trading ms since the run's origin; the origin is startMs, or the open after it. */
  #stepStart = 0;
  #runStart = 0;
  /** The session ticks are being laid into, and the trading ms (from the origin) of its open. */
  #session: Session;
  #sessionStart: number;

  constructor(readonly options: SyntheticOptions) {
    const model = buildModel(options.universe);
    this.#symbols = model.symbols;
    const n = this.#symbols.length;
    if (n === 0) throw new RangeError('the universe has no symbols');
    if (!(options.ratePerSec > 0) || options.ratePerSec > n * 1000) {
      // One tick per symbol per millisecond at most: timestamps are integer ms and each symbol's must increase.
      throw new RangeError(`rate must be in (0, ${n * 1000}] ticks/s for ${n} symbols`);
    }
    if (!(options.durationMs > 0)) throw new RangeError('duration must be positive');
    this.#scenario = SCENARIOS[options.scenario];
    this.#rng = new Mulberry32(options.seed);
    this.#levels = new Float64Array(model.factors);
    this.#drift = new Float64Array(model.factors);
    this.#idio = new Float64Array(n);
    this.#sectorSymbols = options.universe.sectors.map((s) => s.symbol);
    this.stepMs = (n * 1000) / options.ratePerSec;
    this.#steps = Math.max(1, Math.floor(options.durationMs / this.stepMs));
    this.total = this.#steps * n;
    this.#dtDays = this.stepMs / SESSION_MS;
    const sq = Math.sqrt(this.#dtDays);
    this.#factorVol = new Float64Array(model.factors);
    this.#factorVol[MARKET] = DAILY_VOL.market * sq;
    this.#factorVol[SIZE] = DAILY_VOL.size * sq;
    this.#factorVol[AI] = DAILY_VOL.ai * sq;
    for (let k = FIRST_SECTOR; k < model.factors; k++) this.#factorVol[k] = DAILY_VOL.sector * sq;
    this.#offsets = new Int32Array(n);
    for (let j = 0; j < n; j++) this.#offsets[j] = Math.floor((j * this.stepMs) / n);
    this.#inStep = n; // the first next() starts step 0
    this.#basePrices = Float64Array.from(this.#symbols, (sym) => startPriceOf(options.startPrices, sym.symbol) ?? sym.basePrice);
    this.#driftScale = options.driftScale ?? 1;
    if (!(this.#driftScale >= 0) || !Number.isFinite(this.#driftScale)) throw new RangeError('drift scale must be a finite number >= 0');
    this.#calendar = options.calendar ?? getCalendar('XNYS');
    const first = this.#calendar.nextCloseAfter(options.startMs);
    if (first === null) throw new RangeError('start is past the last session of the calendar');
    this.#session = first;
    // Starting mid-session, the part of the session before startMs lies before the origin.
    this.#sessionStart = -Math.max(0, options.startMs - first.open);
  }

  /** Ticks emitted so far, over all passes. */
  emitted = 0;

  /** Fills `out` with the next tick; false when the duration is done. */
  next(out: SyntheticTick): boolean {
    const n = this.#symbols.length;
    if (this.#inStep === n) {
      if (this.#step >= this.#steps) return false;
      this.#advance();
      this.#step += 1;
      this.#inStep = 0;
      this.#stepStart = this.#runStart + (this.#step - 1) * this.stepMs;
    }
    const j = this.#inStep++;
    this.emitted += 1;
    const s = this.#symbols[j]!;
    const l = s.loadings;
    const levels = this.#levels;
    let x = this.#idio[j]!;
    for (let k = 0; k < levels.length; k++) x += l[k]! * levels[k]!;
    out.symbol = s.symbol;
    out.price = Math.round(this.#basePrices[j]! * Math.exp(x) * 10_000) / 10_000;
    out.size = 1 + Math.floor(this.#rng.next() * 500);
    out.ts = this.#eventTime(this.#stepStart + this.#offsets[j]!);
    return true;
  }

  /** Epoch ms of the tick at trading offset u; u never decreases, so sessions only move forward. */
  #eventTime(u: number): number {
    let s = this.#session;
    while (u >= this.#sessionStart + (s.close - s.open)) {
      this.#sessionStart += s.close - s.open;
      const following = this.#calendar.next(s);
      if (following === null) throw new RangeError('the run outlasts the calendar');
      s = this.#session = following;
    }
    // Sessions are (open, close]: the +1 keeps a tick at the opening instant out of the pre-market.
    return s.open + 1 + Math.floor(u - this.#sessionStart);
  }

  /** Starts another pass of the scenario where this one ended: trading time and prices continue. */
  restart(): void {
    this.#runStart += this.#steps * this.stepMs;
    this.#step = 0;
    this.#inStep = this.#symbols.length;
  }

  #advance(): void {
    const regime = this.#scenario.regime(this.#step / this.#steps);
    const drift = this.#drift;
    drift.fill(0);
    const scale = this.#driftScale;
    drift[MARKET] = regime.market * scale;
    drift[SIZE] = regime.size * scale;
    drift[AI] = regime.ai * scale;
    for (let i = 0; i < this.#sectorSymbols.length; i++) drift[FIRST_SECTOR + i] = (regime.sectors[this.#sectorSymbols[i]!] ?? 0) * scale;
    const dt = this.#dtDays;
    const keep = Math.exp(-this.#scenario.reversion * dt);
    const levels = this.#levels;
    for (let k = 0; k < levels.length; k++) {
      const revert = k === MARKET ? 1 : keep;
      levels[k] = levels[k]! * revert + drift[k]! * dt + this.#factorVol[k]! * this.#rng.normal();
    }
    const sq = Math.sqrt(dt);
    for (let j = 0; j < this.#idio.length; j++) {
      this.#idio[j] = this.#idio[j]! * keep + this.#symbols[j]!.idioVol * sq * this.#rng.normal();
    }
  }
}

function startPriceOf(prices: Readonly<Record<string, number>> | undefined, symbol: string): number | undefined {
  const p = prices?.[symbol];
  return p !== undefined && Number.isFinite(p) && p > 0 ? p : undefined;
}
