/**
 * Guarantee 7 (bad input everywhere), the ingester's parsers: timestamp parsing, tick
 * normalisation, CSV splitting, line splitting and every file format decoder. For arbitrary
 * input they never throw; every rejection carries a reason and a message (the ingester turns
 * it into a dead letter); and a well-formed record is never dropped or altered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { DeadLetterReason, Tick } from '@rotation/schemas';
import { parseTimestamp } from '../timestamp.js';
import { Normalizer } from '../normalize.js';
import { splitCsvLine } from './csv.js';
import { LineSplitter } from '../line-splitter.js';
import { createLineDecoder, decodeAlpacaBars, decodeNdjsonLine, detectFormat } from './formats.js';
import type { Decoded } from './decoded.js';

const RUNS = { numRuns: 400 };
const UNIVERSE = { symbols: ['BRK.B', 'IWM', 'QQQ', 'SPY', 'XLK'], aliases: { 'BRK/B': 'BRK.B' } };
const MIN_MS = Date.UTC(1973, 3, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

/** Anything a decoder could hand over: strings that look almost right, numbers, objects. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e400', '0x10', '2024-02-30T00:00:00Z', '2024-01-02T24:00:00Z', '1700000000', '１２３'),
  fc.double(),
  fc.integer(),
);
const goodMs = fc.integer({ min: MIN_MS, max: MAX_MS });
const goodSymbol = fc.constantFrom('IWM', 'iwm', ' SPY ', 'qqq', 'XLK', 'BRK/B', 'brk.b');
const goodPrice = fc.double({ min: 0.0001, max: 1e6, noNaN: true, noDefaultInfinity: true });

function isClearRejection(d: { reason: string; message: string }): boolean {
  return DeadLetterReason.safeParse(d.reason).success && d.message.trim().length > 0;
}

describe('parseTimestamp', () => {
  it('never throws and only accepts integer epoch ms within 1970..9999', () => {
    fc.assert(
      fc.property(junk, (v) => {
        const r = parseTimestamp(v);
        if (r.ok) {
          expect(Number.isInteger(r.ts)).toBe(true);
          expect(r.ts).toBeGreaterThanOrEqual(0);
          expect(r.ts).toBeLessThanOrEqual(253_402_300_799_999);
        } else expect(r.message).toMatch(/^ts: /);
      }),
      RUNS,
    );
  });

  it('round-trips every RFC 3339 instant with 0..9 fractional digits and any offset', () => {
    fc.assert(
      fc.property(goodMs, fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (ms, subMs, digits, offsetMin) => {
        const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
        const nanos9 = String(ms % 1000).padStart(3, '0') + String(subMs).padStart(6, '0');
        const frac = digits === 0 ? '' : `.${nanos9.slice(0, digits)}`;
        const sign = offsetMin < 0 ? '-' : '+';
        const zone = offsetMin === 0 ? 'Z' : `${sign}${String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`;
        const r = parseTimestamp(`${local}${frac}${zone}`);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const keptMs = digits >= 3 ? ms : ms - (ms % 1000) + Number(nanos9.slice(0, digits).padEnd(3, '0'));
        expect(r.ts).toBe(keptMs);
        if (digits > 3) expect(r.tsNanos).toBe(Number(nanos9.slice(3, digits).padEnd(6, '0')));
        else expect(r.tsNanos).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('accepts epoch ms as number and digit string alike', () => {
    fc.assert(
      fc.property(goodMs, (ms) => {
        expect(parseTimestamp(ms)).toEqual({ ok: true, ts: ms });
        expect(parseTimestamp(String(ms))).toEqual({ ok: true, ts: ms });
      }),
      RUNS,
    );
  });
});

describe('Normalizer', () => {
  it('never throws; output is a schema-valid tick, a duplicate, or a rejection with a reason and message', () => {
    const n = new Normalizer({ universe: UNIVERSE, dedupWindow: 64 });
    fc.assert(
      fc.property(
        fc.record({ symbol: fc.oneof(junk, goodSymbol), price: fc.oneof(junk, goodPrice), size: fc.option(junk, { nil: undefined }), ts: fc.oneof(junk, goodMs), id: fc.option(junk, { nil: undefined }) }),
        fc.constantFrom('replay', 'synthetic', 'alpaca', 'polygon', 'finnhub' as const),
        (raw, source) => {
          const r = n.normalize(raw, source);
          if (r.kind === 'tick') expect(Tick.safeParse(r.tick).success).toBe(true);
          else if (r.kind === 'rejected') expect(isClearRejection(r)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('a good quote always becomes a tick with the same price, size and time (never dropped)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ symbol: goodSymbol, price: goodPrice, size: fc.option(fc.nat(), { nil: undefined }), ts: goodMs, id: fc.uuid() }), { selector: (q) => q.id, maxLength: 50 }),
        (quotes) => {
          const n = new Normalizer({ universe: UNIVERSE });
          for (const q of quotes) {
            const r = n.normalize({ ...q, price: String(q.price), ts: new Date(q.ts).toISOString() }, 'replay');
            expect(r.kind).toBe('tick');
            if (r.kind !== 'tick') return;
            expect(r.tick.price).toBe(q.price);
            expect(r.tick.ts).toBe(q.ts);
            expect(r.tick.size).toBe(q.size);
            expect(UNIVERSE.symbols).toContain(r.tick.symbol);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a re-sent tick is reported as a duplicate, never published twice', () => {
    fc.assert(
      fc.property(fc.record({ symbol: goodSymbol, price: goodPrice, ts: goodMs }), fc.boolean(), (q, withId) => {
        const n = new Normalizer({ universe: UNIVERSE });
        const raw = withId ? { ...q, id: 'T1' } : q;
        expect(n.normalize(raw, 'alpaca').kind).toBe('tick');
        expect(n.normalize(raw, 'alpaca').kind).toBe('duplicate');
      }),
      RUNS,
    );
  });
});

/** RFC 4180 encoding of one record. */
function csvRecord(fields: string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(',');
}
const csvField = fc.string({ maxLength: 12 }).filter((s) => !/[\r\n]/.test(s));

describe('splitCsvLine', () => {
  it('never throws on any line', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (line) => void splitCsvLine(line)), RUNS);
  });

  it('inverts RFC 4180 encoding: every field comes back exactly', () => {
    fc.assert(fc.property(fc.array(csvField, { minLength: 1, maxLength: 8 }), (fields) => {
      expect(splitCsvLine(csvRecord(fields))).toEqual(fields);
    }), RUNS);
  });
});

describe('LineSplitter', () => {
  it('yields the same lines however the stream is chunked, and never more than the limit', () => {
    const text = fc.array(fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n') && !s.endsWith('\r')), { maxLength: 20 });
    fc.assert(
      fc.property(text, fc.array(fc.nat({ max: 30 }), { maxLength: 10 }), fc.boolean(), (lines, cuts, crlf) => {
        const input = lines.map((l) => l + (crlf ? '\r\n' : '\n')).join('');
        const out: Array<[string, number, boolean]> = [];
        const s = new LineSplitter(16);
        let at = 0;
        for (const c of cuts) {
          s.push(input.slice(at, at + c), (t, n, tooLong) => out.push([t, n, tooLong]));
          at += c;
        }
        s.push(input.slice(at), (t, n, tooLong) => out.push([t, n, tooLong]));
        s.end((t, n, tooLong) => out.push([t, n, tooLong]));
        expect(out.map((o) => o[1])).toEqual(lines.map((_, i) => i + 1));
        out.forEach(([t, , tooLong], i) => {
          const expected = lines[i]!;
          expect(tooLong).toBe(expected.length > 16);
          expect(t).toBe(expected.slice(0, 16));
        });
      }),
      RUNS,
    );
  });
});

function checkDecoded(d: Decoded | undefined, text: string): void {
  if (d === undefined) {
    expect(text.trim()).toBe(''); // only blank lines carry nothing
    return;
  }
  expect(d.text).toBe(text);
  if (d.kind === 'reject') expect(isClearRejection(d)).toBe(true);
}

describe('file format decoders', () => {
  const anyLine = fc.oneof(fc.string({ maxLength: 60 }), fc.array(csvField, { maxLength: 8 }).map(csvRecord), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)));

  it.each([
    ['tick-csv', 'ts,symbol,price,size'],
    ['tick-csv', 'symbol,ts,price,id,size'],
    ['yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume'],
    ['stooq', 'Date,Open,High,Low,Close,Volume'],
    ['ndjson', ''],
  ] as const)('%s (%s): any line decodes to a quote, a clear rejection, or nothing for a blank line', (format, header) => {
    const decode = createLineDecoder(format, header, { symbol: 'IWM' });
    fc.assert(fc.property(anyLine, fc.integer({ min: 1, max: 1e6 }), (line, n) => checkDecoded(decode(line, n), line)), RUNS);
  });

  it('every good tick CSV / NDJSON line becomes a tick through decode + normalise', () => {
    const csv = createLineDecoder('tick-csv', 'ts,symbol,price,size');
    fc.assert(
      fc.property(fc.record({ symbol: goodSymbol, price: goodPrice, size: fc.nat(), ts: goodMs }), fc.boolean(), (q, iso) => {
        const n = new Normalizer({ universe: UNIVERSE, dedupWindow: 1 });
        const ts = iso ? new Date(q.ts).toISOString() : String(q.ts);
        const fromCsv = csv(csvRecord([ts, q.symbol, String(q.price), String(q.size)]), 2);
        const fromJson = decodeNdjsonLine(JSON.stringify({ ...q, ts }), 2);
        for (const d of [fromCsv, fromJson]) {
          expect(d?.kind).toBe('quote');
          if (d?.kind !== 'quote') return;
          const r = n.normalize(d.raw, 'replay');
          expect(r.kind === 'tick' || r.kind === 'duplicate').toBe(true);
          if (r.kind === 'tick') expect([r.tick.price, r.tick.ts, r.tick.size]).toEqual([q.price, q.ts, q.size]);
        }
      }),
      RUNS,
    );
  });

  it('a good daily bar (Yahoo, Stooq) becomes a quote at its close', () => {
    const yahoo = createLineDecoder('yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', { symbol: 'IWM' });
    // Daily bars exist for sessions only (a date without one is a dead letter): dates of the XNYS calendar.
    const xnys = getCalendar('XNYS');
    const session = fc.date({ min: new Date(Date.UTC(xnys.firstYear, 0, 1)), max: new Date(Date.UTC(xnys.lastYear, 11, 31)), noInvalidDate: true }).map((d) => xnys.sessionAtOrBefore(d.getTime() + 1)?.date ?? '1990-01-02');
    fc.assert(
      fc.property(session, goodPrice, fc.nat(), (date, close, volume) => {
        const d = yahoo(`${date},1,2,0.5,${close},${close},${volume}`, 3);
        expect(d?.kind).toBe('quote');
        if (d?.kind !== 'quote') return;
        const r = new Normalizer({ universe: UNIVERSE }).normalize(d.raw, 'replay');
        expect(r.kind).toBe('tick');
        if (r.kind === 'tick') expect([r.tick.symbol, r.tick.price, new Date(r.tick.ts).toISOString().slice(0, 10)]).toEqual(['IWM', close, date]);
      }),
      RUNS,
    );
  });

  it('Alpaca bars: any document gives one record per bar (none silently dropped) or one clear rejection', () => {
    const bar = fc.oneof(fc.record({ t: fc.oneof(goodMs.map((m) => new Date(m).toISOString()), junk), c: fc.oneof(goodPrice, junk), v: fc.oneof(fc.nat(), junk) }), junk);
    const doc = fc.oneof(
      fc.record({ bars: fc.dictionary(fc.constantFrom('IWM', 'SPY', 'XLK', 'bad sym'), fc.oneof(fc.array(bar, { maxLength: 5 }), junk), { maxKeys: 3 }) }),
      fc.record({ bars: fc.array(bar, { maxLength: 5 }), symbol: fc.oneof(fc.constant('IWM'), junk) }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(fc.oneof(doc.map((d) => JSON.stringify(d) ?? 'null'), fc.string({ maxLength: 40 })), (text) => {
        const out = decodeAlpacaBars(text);
        for (const d of out) if (d.kind === 'reject') expect(isClearRejection(d)).toBe(true);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          expect(out).toHaveLength(1);
          return;
        }
        const bars = (parsed as { bars?: unknown } | null)?.bars;
        if (bars && typeof bars === 'object' && !Array.isArray(bars)) {
          const expected = Object.values(bars).reduce<number>((n, list) => n + (Array.isArray(list) ? list.length : 1), 0);
          expect(out).toHaveLength(expected);
        }
      }),
      RUNS,
    );
  });

  it('detectFormat never throws on any file name and first line', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), fc.oneof(fc.string({ maxLength: 60 }), anyLine), (name, line) => void detectFormat(name, line)), RUNS);
  });
});
