import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTick, Tick } from './tick.js';

const good = { v: 1, symbol: 'IWM', price: 221.37, size: 100, ts: 1732369200000, source: 'replay' };

/** Values near every boundary of every field, mixed with arbitrary JSON. */
const fieldValue = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 999_999, 1_000_000, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, Infinity, -Infinity, NaN, 1e308),
  fc.constantFrom('', 'IWM', 'iwm', 'BRK.B', 'BF-B', '.X', 'A'.repeat(16), 'A'.repeat(17), 'X Y', 'replay', 'synthetic', 'alpaca', 'x'.repeat(64), 'x'.repeat(65)),
  fc.constantFrom(null, undefined, true, [], {}),
  fc.jsonValue(),
  fc.double(),
  fc.integer(),
);

const tickLike = fc
  .record(
    {
      v: fc.oneof(fc.constant(1), fieldValue),
      symbol: fc.oneof(fc.constantFrom('IWM', 'SPY', 'BRK.B'), fieldValue),
      price: fc.oneof(fc.double({ min: 0.0001, max: 1e6, noNaN: true }), fieldValue),
      size: fc.oneof(fc.nat(), fieldValue),
      ts: fc.oneof(fc.nat(), fieldValue),
      tsNanos: fc.oneof(fc.integer({ min: 0, max: 999_999 }), fieldValue),
      source: fc.oneof(fc.constantFrom('replay', 'polygon'), fieldValue),
      id: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fieldValue),
      // Mostly relative to ts (independent values would seldom land on the >= ts boundary).
      sourceMaxTs: fc.oneof(
        { arbitrary: fc.constantFrom(0, 1, 60_000).map((lead) => ({ lead })), weight: 6 },
        fc.oneof(fc.constantFrom(-1, 0.5), fc.integer({ min: -1000, max: 1000 }), fc.double()).map((lead) => ({ lead })),
        fieldValue.map((value) => ({ value })),
      ),
      conditions: fc.oneof(
        { arbitrary: fc.array(fc.constantFrom('@', 'I', 'T', '37', '12', 'ABCDEFGH'), { maxLength: 4 }), weight: 30 },
        fc.array(fc.oneof(fc.string({ maxLength: 9 }), fieldValue), { maxLength: 17 }),
        fieldValue,
      ),
      eligibility: fc.oneof(
        { arbitrary: fc.constantFrom({ last: true, volume: true }, { last: false, volume: true, reason: 'odd_lot' }, { last: true, volume: false, reason: 'no_volume' }), weight: 30 },
        fc.record({ last: fc.oneof(fc.boolean(), fieldValue), volume: fc.oneof(fc.boolean(), fieldValue), reason: fc.oneof(fc.constantFrom('odd_lot', 'extended_hours', 'bogus'), fieldValue) }, { requiredKeys: [] }),
        fieldValue,
      ),
      extra: fieldValue,
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    // Mostly valid-shaped ticks (so the interesting cases are single-field violations).
    const { extra, sourceMaxTs, ...rest } = r;
    const out: Record<string, unknown> = extra !== undefined && typeof extra === 'number' && extra > 0.9 ? { ...rest, extra } : rest;
    if (sourceMaxTs && 'value' in sourceMaxTs) out.sourceMaxTs = sourceMaxTs.value;
    else if (sourceMaxTs) out.sourceMaxTs = typeof rest.ts === 'number' ? rest.ts + sourceMaxTs.lead : sourceMaxTs.lead;
    return out;
  });

describe('isTick', () => {
  it('accepts a well-formed tick and rejects the obvious failures', () => {
    expect(isTick(good)).toBe(true);
    expect(isTick({ ...good, size: undefined })).toBe(true);
    expect(isTick({ ...good, symbol: 'iwm' })).toBe(false);
    expect(isTick({ ...good, price: 0 })).toBe(false);
    expect(isTick({ ...good, ts: 1.5 })).toBe(false);
    expect(isTick({ ...good, extra: 1 })).toBe(false);
    expect(isTick({ ...good, sourceMaxTs: good.ts })).toBe(true);
    expect(isTick({ ...good, sourceMaxTs: good.ts + 1 })).toBe(true);
    expect(isTick({ ...good, sourceMaxTs: good.ts - 1 })).toBe(false);
    expect(isTick({ ...good, sourceMaxTs: good.ts + 0.5 })).toBe(false);
    expect(isTick(JSON.parse('{"v":1,"symbol":"IWM","price":1,"ts":1,"source":"replay","__proto__":1}'))).toBe(false);
    expect(isTick([good])).toBe(false);
    expect(isTick(null)).toBe(false);
  });

  // 20,000 runs take 2-5 s alone on two cores and went past vitest's 5 s default under a full CI run's load.
  it('agrees with Tick.safeParse on arbitrary values (property)', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(tickLike, fc.jsonValue(), fc.anything()), (value) => {
        expect(isTick(value)).toBe(Tick.safeParse(value).success);
      }),
      { numRuns: 20_000 },
    );
  });

  // 20,000 runs take 2-5 s alone on two cores and went past vitest's 5 s default under a full CI run's load.
  it('agrees with Tick.safeParse on JSON round trips of tick-like records (property)', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(tickLike, (value) => {
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(isTick(parsed)).toBe(Tick.safeParse(parsed).success);
      }),
      { numRuns: 20_000 },
    );
  });

  it('the generator above produces both valid and invalid ticks (the properties are not vacuous)', () => {
    const sample = fc.sample(tickLike, { numRuns: 5_000, seed: 7 });
    const valid = sample.filter((v) => Tick.safeParse(v).success);
    expect(valid.length).toBeGreaterThan(20);
    expect(valid.length).toBeLessThan(4_980);
    // Both sides of the sourceMaxTs >= ts rule are reached with an otherwise valid tick.
    const withMax = sample.filter((v) => typeof v.sourceMaxTs === 'number' && Tick.safeParse({ ...v, sourceMaxTs: undefined }).success);
    expect(withMax.filter((v) => v.sourceMaxTs === v.ts).length).toBeGreaterThan(0);
    expect(withMax.filter((v) => Tick.safeParse(v).success).length).toBeGreaterThan(0);
    expect(withMax.filter((v) => !Tick.safeParse(v).success).length).toBeGreaterThan(0);
  });
});
