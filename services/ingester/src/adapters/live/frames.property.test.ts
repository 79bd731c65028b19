/**
 * Guarantee 7 (bad input everywhere), the live provider frames (Alpaca, Polygon, Finnhub): for any
 * frame the decoders never throw; every item of a frame yields exactly one result (a bad item is
 * reported with a message and dead-lettered, never silently dropped); a well-formed trade becomes
 * a tick unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAlpacaFrame } from './alpaca/decode.js';
import { decodeFinnhubFrame } from './finnhub/decode.js';
import { decodePolygonFrame } from './polygon/decode.js';
import { Normalizer } from '../../core/normalize.js';

const RUNS = { numRuns: 400 };
const UNIVERSE = { symbols: ['IWM', 'QQQ', 'SPY', 'XLK'], aliases: {} };
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);
const RECEIVED_AT = Date.UTC(2100, 0, 2);

const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.string({ maxLength: 20 }), fc.double(), fc.constantFrom(null, '', 'NaN', -1, 0));
const sym = fc.constantFrom('IWM', 'SPY', 'QQQ', 'XLK');
const price = fc.double({ min: 0.01, max: 1e5, noNaN: true, noDefaultInfinity: true });
const ms = fc.integer({ min: MIN_MS, max: MAX_MS });

/** An item that is either well-formed for the provider (good: true) or mangled in one field. */
function maybeMangled(good: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<{ good: boolean; item: unknown }> {
  return fc.oneof(
    good.map((item) => ({ good: true, item })),
    fc.tuple(good, fc.string({ maxLength: 3 }), junk).map(([g, k, v]) => ({ good: false, item: { ...g, [k]: v } })),
    fc.tuple(good, fc.nat(), junk).map(([g, i, v]) => {
      const keys = Object.keys(g);
      return { good: false, item: { ...g, [keys[i % keys.length]!]: v } };
    }),
    junk.map((item) => ({ good: false, item })),
  );
}

const alpacaTrade = fc.record({ T: fc.constant('t'), S: sym, p: price, s: fc.nat(), t: ms.map((m) => new Date(m).toISOString()), i: fc.nat(), x: fc.constantFrom('V', 'K') });
const polygonTrade = fc.record({ ev: fc.constant('T'), sym, p: price, s: fc.nat(), t: ms, i: fc.uuid(), x: fc.nat({ max: 20 }) });
const finnhubTrade = fc.record({ s: sym, p: price, t: ms, v: fc.nat() });

type Item = { kind: string; message?: string };
function checkItems(items: Item[]): void {
  for (const item of items) {
    expect(typeof item.kind).toBe('string');
    if (item.kind === 'bad') expect(item.message!.length).toBeGreaterThan(0);
  }
}

describe('provider frames', () => {
  const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)));

  it.each([
    ['alpaca', (t: string) => decodeAlpacaFrame(t, RECEIVED_AT)],
    ['polygon', decodePolygonFrame],
    ['finnhub', decodeFinnhubFrame],
  ] as const)('%s: any text frame decodes without throwing, each item to a kind, bad ones with a message', (_name, decode) => {
    fc.assert(
      fc.property(anyText, (text) => {
        const items = decode(text) as Item[];
        // Only an empty batch (or an empty trade list) may yield nothing.
        if (items.length === 0) expect(text).toMatch(/^\[\]$|"data":\[\]/);
        checkItems(items);
      }),
      RUNS,
    );
  });

  it('alpaca / polygon: one result per item of a batched frame, and every good trade becomes the same tick', () => {
    for (const [decode, good] of [
      [(t: string) => decodeAlpacaFrame(t, RECEIVED_AT), alpacaTrade],
      [decodePolygonFrame, polygonTrade],
    ] as const) {
      fc.assert(
        fc.property(fc.array(maybeMangled(good as fc.Arbitrary<Record<string, unknown>>), { maxLength: 12 }), (batch) => {
          const items = decode(JSON.stringify(batch.map((b) => b.item))) as Array<Item & { raw?: Record<string, unknown> }>;
          expect(items).toHaveLength(batch.length);
          checkItems(items);
          const n = new Normalizer({ universe: UNIVERSE });
          batch.forEach(({ good: isGood, item: b }, i) => {
            if (!isGood) return;
            expect(items[i]!.kind).toBe('quote');
            const r = n.normalize(items[i]!.raw as never, 'alpaca');
            if (r.kind === 'tick') {
              const rec = b as Record<string, unknown>;
              expect(r.tick.price).toBe(rec.p);
              expect(r.tick.symbol).toBe(rec.S ?? rec.sym);
            } else expect(r.kind).toBe('duplicate');
          });
        }),
        { numRuns: 200 },
      );
    }
  });

  it('finnhub: one result per trade of a trade frame, and every good trade becomes the same tick', () => {
    fc.assert(
      fc.property(fc.array(maybeMangled(finnhubTrade), { maxLength: 12 }), (data) => {
        const items = decodeFinnhubFrame(JSON.stringify({ type: 'trade', data: data.map((d) => d.item) })) as Array<Item & { raw?: Record<string, unknown> }>;
        expect(items).toHaveLength(data.length);
        checkItems(items);
        const n = new Normalizer({ universe: UNIVERSE });
        data.forEach(({ good: isGood, item }, i) => {
          if (!isGood) return;
          const d = item as { s: string; p: number; t: number };
          expect(items[i]!.kind).toBe('quote');
          const r = n.normalize(items[i]!.raw as never, 'finnhub');
          if (r.kind === 'tick') expect([r.tick.symbol, r.tick.price, r.tick.ts]).toEqual([d.s, d.p, d.t]);
          else expect(r.kind).toBe('duplicate');
        });
      }),
      { numRuns: 200 },
    );
  });
});
