import { describe, expect, it } from 'vitest';
import { Tick } from '@rotation/schemas';
import { Normalizer } from './normalize.js';
import type { RawQuote } from './source.js';

const universe = { symbols: ['BRK.B', 'IWM', 'SPY'], aliases: { 'BRK/B': 'BRK.B', 'BRK-B': 'BRK.B' } };
const T = '2024-01-02T15:30:00Z';
const TS = 1_704_209_400_000;

describe('Normalizer', () => {
  it.each<[RawQuote, Partial<Tick>]>([
    [{ symbol: 'IWM', price: 221.37, size: 100, ts: T }, { symbol: 'IWM', price: 221.37, size: 100, ts: TS }],
    [{ symbol: ' iwm ', price: '221.37', size: '100', ts: String(TS) }, { symbol: 'IWM', price: 221.37, size: 100, ts: TS }],
    [{ symbol: 'brk/b', price: 1, ts: TS }, { symbol: 'BRK.B', price: 1, ts: TS }],
    [{ symbol: 'BRK-B', price: '1e2', ts: TS }, { symbol: 'BRK.B', price: 100, ts: TS }],
    [{ symbol: 'SPY', price: 5, size: 0, ts: '2024-01-02T15:30:00.123456Z' }, { symbol: 'SPY', price: 5, size: 0, ts: TS + 123, tsNanos: 456_000 }],
    [{ symbol: 'SPY', price: 5, size: '', ts: T, id: 42 }, { symbol: 'SPY', price: 5, ts: TS, id: '42' }],
  ])('normalizes %j', (raw, expected) => {
    const r = new Normalizer({ universe }).normalize(raw, 'replay');
    expect(r).toEqual({ kind: 'tick', tick: { v: 1, source: 'replay', ...expected } });
    if (r.kind === 'tick') expect(Tick.parse(r.tick)).toEqual(r.tick);
  });

  it.each<[RawQuote, string, string]>([
    [{ symbol: 'QQQ', price: 1, ts: T }, 'unknown_symbol', 'symbol: QQQ is not in the universe'],
    [{ symbol: '', price: 1, ts: T }, 'invalid_tick', 'symbol: expected a ticker, got ""'],
    [{ symbol: 7, price: 1, ts: T }, 'invalid_tick', 'symbol: expected a ticker, got number 7'],
    [{ symbol: 'I W M', price: 1, ts: T }, 'invalid_tick', 'symbol: "I W M" is not a ticker'],
    [{ symbol: 'IWM', price: 0, ts: T }, 'invalid_tick', 'price: must be > 0, got 0'],
    [{ symbol: 'IWM', price: -1, ts: T }, 'invalid_tick', 'price: must be > 0, got -1'],
    [{ symbol: 'IWM', price: Number.POSITIVE_INFINITY, ts: T }, 'invalid_tick', 'price: Infinity is not finite'],
    [{ symbol: 'IWM', price: 'abc', ts: T }, 'invalid_tick', 'price: expected a number, got "abc"'],
    [{ symbol: 'IWM', price: null, ts: T }, 'invalid_tick', 'price: expected a number, got null'],
    [{ symbol: 'IWM', price: 1, size: -5, ts: T }, 'invalid_tick', 'size: must be a finite number >= 0, got -5'],
    [{ symbol: 'IWM', price: 1, size: 'x', ts: T }, 'invalid_tick', 'size: expected a number, got "x"'],
    [{ symbol: 'IWM', price: 1, ts: undefined }, 'invalid_tick', 'ts: missing'],
    [{ symbol: 'IWM', price: 1, ts: 'soon' }, 'invalid_tick', 'ts: "soon" is neither RFC 3339'],
    [{ symbol: 'IWM', price: 1, ts: T, id: { a: 1 } }, 'invalid_tick', 'id: expected a string or number'],
    [{ symbol: 'IWM', price: 0, ts: 'x' }, 'invalid_tick', 'price: must be > 0, got 0; ts: "x"'],
  ])('rejects %j as %s', (raw, reason, message) => {
    const r = new Normalizer({ universe }).normalize(raw, 'replay');
    expect(r.kind).toBe('rejected');
    if (r.kind !== 'rejected') return;
    expect(r.reason).toBe(reason);
    expect(r.message).toContain(message);
  });

  it('drops the same provider trade id and an identical tick re-sent, per source', () => {
    const n = new Normalizer({ universe });
    const kinds = [
      n.normalize({ symbol: 'IWM', price: 1, ts: T, id: 'a' }, 'alpaca'),
      n.normalize({ symbol: 'IWM', price: 2, ts: TS + 5, id: 'a' }, 'alpaca'), // same id, re-sent with a correction: still a duplicate
      n.normalize({ symbol: 'SPY', price: 1, ts: T, id: 'a' }, 'alpaca'), // ids are per symbol
      n.normalize({ symbol: 'IWM', price: 1, ts: T, id: 'a' }, 'finnhub'), // another source
      n.normalize({ symbol: 'IWM', price: 3, size: 10, ts: T }, 'replay'),
      n.normalize({ symbol: 'iwm', price: '3', size: '10', ts: String(TS) }, 'replay'),
      n.normalize({ symbol: 'IWM', price: 3, size: 11, ts: T }, 'replay'),
    ].map((r) => r.kind);
    expect(kinds).toEqual(['tick', 'duplicate', 'tick', 'tick', 'tick', 'duplicate', 'tick']);
  });

  it('forgets duplicates beyond its window', () => {
    const n = new Normalizer({ universe, dedupWindow: 2 });
    const q = (i: number) => ({ symbol: 'IWM', price: 1, ts: TS + i });
    expect([0, 1, 2, 0].map((i) => n.normalize(q(i), 'replay').kind)).toEqual(['tick', 'tick', 'tick', 'tick']);
    expect(n.normalize(q(0), 'replay').kind).toBe('duplicate');
  });
});
