import { isPrintConditions, isPrintEligibility, isTick, parseTradeEvent, Symbol as SymbolSchema, Tick, type DeadLetterReason, type TickSource, type TradeEvent } from '@rotation/schemas';
import type { Universe } from '@rotation/config';
import { DedupWindow, TickContentWindow } from './dedup-window.js';
import type { RawEvent, RawQuote } from './source.js';
import { describe, parseTimestamp } from './timestamp.js';

export type NormalizeResult =
  | { kind: 'tick'; tick: Tick }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: Extract<DeadLetterReason, 'invalid_tick' | 'unknown_symbol'>; message: string };

export type NormalizeEventResult =
  | { kind: 'event'; event: TradeEvent }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; reason: Extract<DeadLetterReason, 'invalid_tick' | 'unknown_symbol'>; message: string };

export interface NormalizerOptions {
  universe: Pick<Universe, 'symbols' | 'aliases'>;
  /** Keys remembered per source for duplicate suppression (bounded memory). */
  dedupWindow?: number;
}

/**
 * A reconnecting provider re-sends its last few trades; 10k keys per source covers several
 * seconds of a busy feed at about 1 MB of memory.
 */
export const DEFAULT_DEDUP_WINDOW = 10_000;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * RawQuote -> Tick, the one validation every source goes through: symbol upper-cased and
 * aliased and inside the universe, price finite and > 0, size >= 0 when present, timestamp
 * parsed. Duplicates (same provider trade id, or the identical tick re-sent) are reported as
 * such within a bounded window per source.
 */
export class Normalizer {
  readonly #symbols: ReadonlySet<string>;
  readonly #aliases: ReadonlyMap<string, string>;
  readonly #windowSize: number;
  readonly #idWindows = new Map<TickSource, DedupWindow>();
  readonly #contentWindows = new Map<TickSource, TickContentWindow>();
  readonly #eventWindows = new Map<TickSource, DedupWindow>();

  constructor(options: NormalizerOptions) {
    this.#symbols = new Set(options.universe.symbols);
    const aliases = new Map<string, string>();
    for (const [from, to] of Object.entries(options.universe.aliases)) {
      aliases.set(from, to);
      aliases.set(from.toUpperCase(), to);
    }
    this.#aliases = aliases;
    this.#windowSize = options.dedupWindow ?? DEFAULT_DEDUP_WINDOW;
  }

  /** Universe symbols are valid tickers already (the universe schema checked them). */
  #knownSymbol(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /** The aliased, upper-cased ticker, or undefined with the problem pushed. */
  #symbol(value: unknown, problems: string[]): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`symbol: expected a ticker, got ${describe(value)}`);
      return undefined;
    }
    const trimmed = value.trim();
    const upper = trimmed.toUpperCase();
    const symbol = this.#aliases.get(trimmed) ?? this.#aliases.get(upper) ?? upper;
    if (!this.#knownSymbol(symbol) && !SymbolSchema.safeParse(symbol).success) {
      problems.push(`symbol: "${truncate(trimmed)}" is not a ticker (letters, digits, "." or "-", at most 16)`);
      return undefined;
    }
    return symbol;
  }

  normalize(raw: RawQuote, source: TickSource): NormalizeResult {
    const problems: string[] = [];
    const symbol = this.#symbol(raw.symbol, problems);

    const price = toNumber(raw.price);
    if (price === undefined) problems.push(`price: expected a number, got ${describe(raw.price)}`);
    else if (!Number.isFinite(price)) problems.push(`price: ${price} is not finite`);
    else if (price <= 0) problems.push(`price: must be > 0, got ${price}`);

    let size: number | undefined;
    if (raw.size !== undefined && raw.size !== null && raw.size !== '') {
      size = toNumber(raw.size);
      if (size === undefined) problems.push(`size: expected a number, got ${describe(raw.size)}`);
      else if (!Number.isFinite(size) || size < 0) problems.push(`size: must be a finite number >= 0, got ${size}`);
    }

    const time = raw.ts === undefined || raw.ts === null || raw.ts === '' ? ({ ok: false, message: 'ts: missing' } as const) : parseTimestamp(raw.ts);
    if (!time.ok) problems.push(time.message);

    let id: string | undefined;
    if (raw.id !== undefined && raw.id !== null && raw.id !== '') {
      if ((typeof raw.id === 'string' || typeof raw.id === 'number') && String(raw.id).length <= 64) id = String(raw.id);
      else problems.push(`id: expected a string or number of at most 64 characters, got ${describe(raw.id)}`);
    }

    if (raw.conditions !== undefined && !isPrintConditions(raw.conditions)) problems.push('conditions: expected at most 16 codes of 1-8 characters');
    if (raw.eligibility !== undefined && !isPrintEligibility(raw.eligibility)) problems.push('eligibility: not a print eligibility');

    if (problems.length > 0) return { kind: 'rejected', reason: 'invalid_tick', message: problems.join('; ') };
    if (!this.#symbols.has(symbol!)) return { kind: 'rejected', reason: 'unknown_symbol', message: `symbol: ${symbol} is not in the universe` };

    const t = time as { ok: true; ts: number; tsNanos?: number };
    const tick: Tick = { v: 1, symbol: symbol!, price: price!, ts: t.ts, source };
    if (size !== undefined) tick.size = size;
    if (t.tsNanos !== undefined) tick.tsNanos = t.tsNanos;
    if (id !== undefined) tick.id = id;
    if (raw.conditions !== undefined && raw.conditions.length > 0) tick.conditions = raw.conditions;
    // An all-eligible print says nothing: ordinary ticks stay as small as they were.
    if (raw.eligibility !== undefined && !(raw.eligibility.last && raw.eligibility.volume)) tick.eligibility = raw.eligibility;

    // Last line of defence: whatever this function builds must be what consumers validate
    // against. The plain guard has the schema's rules at a fraction of zod's cost per tick.
    if (!isTick(tick)) {
      const checked = Tick.safeParse(tick);
      const message = checked.success ? 'tick failed validation' : checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return { kind: 'rejected', reason: 'invalid_tick', message };
    }

    if (this.#isDuplicate(tick, source)) return { kind: 'duplicate' };
    return { kind: 'tick', tick };
  }

  /**
   * RawEvent -> cancel, correction or corporate action: the same symbol, number and time rules
   * as a tick, then the record's schema. Repeats (a reconnect re-sends, a re-fetch of actions)
   * are duplicates by content.
   */
  normalizeEvent(raw: RawEvent, source: TickSource): NormalizeEventResult {
    const problems: string[] = [];
    const symbol = this.#symbol(raw.symbol, problems);
    const time = raw.ts === undefined || raw.ts === null || raw.ts === '' ? ({ ok: false, message: 'ts: missing' } as const) : parseTimestamp(raw.ts);
    if (!time.ok) problems.push(time.message);
    if (problems.length > 0) return { kind: 'rejected', reason: 'invalid_tick', message: problems.join('; ') };
    if (!this.#symbols.has(symbol!)) return { kind: 'rejected', reason: 'unknown_symbol', message: `symbol: ${symbol} is not in the universe` };
    const t = time as { ok: true; ts: number; tsNanos?: number };
    const record = eventRecord(raw, symbol!, t, source);
    const parsed = parseTradeEvent(record);
    if (!parsed.ok) return { kind: 'rejected', reason: 'invalid_tick', message: `${raw.type}: ${parsed.message}` };
    let window = this.#eventWindows.get(source);
    if (!window) this.#eventWindows.set(source, (window = new DedupWindow(this.#windowSize)));
    // An action fetched again later differs only in when it was published.
    const e = parsed.event;
    const key = e.type === 'corporate_action' ? `${e.symbol}|${e.action}|${e.exDate}|${e.ratio ?? ''}|${e.amount ?? ''}` : JSON.stringify(e);
    if (window.seen(key)) return { kind: 'duplicate' };
    return { kind: 'event', event: parsed.event };
  }

  #isDuplicate(tick: Tick, source: TickSource): boolean {
    if (tick.id !== undefined) {
      let window = this.#idWindows.get(source);
      if (!window) this.#idWindows.set(source, (window = new DedupWindow(this.#windowSize)));
      return window.seen(`${tick.symbol}|${tick.id}`);
    }
    let window = this.#contentWindows.get(source);
    if (!window) this.#contentWindows.set(source, (window = new TickContentWindow(this.#windowSize)));
    return window.seen(tick.symbol, tick.ts, tick.price, tick.size ?? -1, tick.tsNanos ?? -1);
  }
}

/** The record a RawEvent stands for, numbers converted; the schema then checks every field. */
function eventRecord(raw: RawEvent, symbol: string, t: { ts: number; tsNanos?: number }, source: TickSource): Record<string, unknown> {
  const base: Record<string, unknown> = { v: 1, type: raw.type, symbol, ts: t.ts, source };
  if (raw.type !== 'corporate_action' && t.tsNanos !== undefined) base.tsNanos = t.tsNanos;
  const put = (o: Record<string, unknown>, key: string, v: unknown, asNumber = true): void => {
    if (v === undefined || v === null || v === '') return;
    o[key] = asNumber ? (toNumber(v) ?? v) : typeof v === 'number' ? String(v) : v;
  };
  switch (raw.type) {
    case 'cancel':
      put(base, 'id', raw.id, false);
      put(base, 'price', raw.price);
      put(base, 'size', raw.size);
      if (raw.action !== undefined) base.action = raw.action;
      return base;
    case 'correction': {
      put(base, 'id', raw.id, false);
      put(base, 'price', raw.price);
      put(base, 'size', raw.size);
      if (raw.conditions !== undefined && raw.conditions.length > 0) base.conditions = raw.conditions;
      const corrected: Record<string, unknown> = {};
      put(corrected, 'id', raw.corrected.id, false);
      put(corrected, 'price', raw.corrected.price);
      put(corrected, 'size', raw.corrected.size);
      if (raw.corrected.conditions !== undefined && raw.corrected.conditions.length > 0) corrected.conditions = raw.corrected.conditions;
      const e = raw.corrected.eligibility;
      if (e !== undefined && !(e.last && e.volume)) corrected.eligibility = e;
      base.corrected = corrected;
      return base;
    }
    case 'corporate_action':
      base.action = raw.action;
      base.exDate = typeof raw.exDate === 'string' ? raw.exDate.trim() : raw.exDate;
      put(base, 'ratio', raw.ratio);
      put(base, 'amount', raw.amount);
      put(base, 'id', raw.id, false);
      return base;
  }
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMBER.test(value.trim())) return Number(value.trim());
  return undefined;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
