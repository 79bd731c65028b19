/**
 * Guarantee 7 (bad input everywhere), the network-facing parsers: live provider frames
 * (Alpaca, Polygon, Finnhub) and websocket client commands. For any frame they never throw;
 * every item of a frame yields exactly one result (a bad item is reported with a message and
 * dead-lettered, never silently dropped); a well-formed trade becomes a tick unchanged; a
 * well-formed command is accepted as sent and a bad one gets an error code and message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertKind, ClientCommand, WsErrorCode } from '@rotation/schemas';
import { decodeAlpacaFrame } from '../../services/ingester/src/adapters/live/alpaca/decode.js';
import { decodeFinnhubFrame } from '../../services/ingester/src/adapters/live/finnhub/decode.js';
import { decodePolygonFrame } from '../../services/ingester/src/adapters/live/polygon/decode.js';
import { Normalizer } from '../../services/ingester/src/core/normalize.js';
import { parseCommand } from '../../services/gateway/src/core/commands.js';

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

describe('websocket client commands', () => {
  const channel = fc.oneof(fc.constantFrom('alerts', 'spreads', 'sectors', 'rrg', 'breadth'), fc.constantFrom(...AlertKind.options).map((k) => `alerts:${k}`));
  const id = fc.string({ minLength: 1, maxLength: 64 });
  const goodCommand = fc.oneof(
    fc.record(
      { op: fc.constant('subscribe'), id, channels: fc.array(channel, { minLength: 1, maxLength: 32 }), resume: fc.dictionary(channel, fc.nat()), epoch: fc.string({ maxLength: 64 }) },
      { requiredKeys: ['op', 'id', 'channels'] },
    ),
    fc.record({ op: fc.constant('unsubscribe'), id, channels: fc.array(channel, { minLength: 1, maxLength: 32 }) }),
    fc.record({ op: fc.constant('ping'), id }),
  );
  const MAX = 4096;

  it('any frame (text or bytes) parses to a command or an error with a documented code and a message', () => {
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.tuple(goodCommand, fc.string({ maxLength: 8 }), junk).map(([c, k, v]) => JSON.stringify({ ...c, [k]: v })),
      fc.string({ minLength: MAX + 1, maxLength: MAX + 50 }).map((s) => s.padEnd(MAX + 1, 'x')),
    );
    fc.assert(
      fc.property(frame, (f) => {
        const r = parseCommand(f, MAX);
        if (r.ok) expect(ClientCommand.safeParse(r.command).success).toBe(true);
        else {
          expect(WsErrorCode.options).toContain(r.error.code);
          expect(r.error.message.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('every well-formed command is accepted exactly as sent (a good command is never refused)', () => {
    fc.assert(
      fc.property(goodCommand, fc.boolean(), (c, asBuffer) => {
        const text = JSON.stringify(c);
        fc.pre(Buffer.byteLength(text) <= MAX);
        const r = parseCommand(asBuffer ? Buffer.from(text) : text, MAX);
        expect(r).toEqual({ ok: true, command: JSON.parse(text) });
      }),
      RUNS,
    );
  });
});
