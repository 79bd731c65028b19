import type { Tick } from '@rotation/schemas';
import { SyntheticSource, SyntheticGenerator, type SyntheticOptions } from '@rotation/ingester';
import { describe, expect, test } from '../support/fixtures.js';
import { bySymbol, expectEndOfStream, readTicksTopic, runPipeline, universe } from './support.js';

describe('synthetic into Kafka', () => {
  test('a seeded run lands on the topic exactly as the generator produces it, per symbol in event-time order', async ({ env, kafka, logger, withTopics }) => {
    const topics = await withTopics();
    const options: SyntheticOptions = { universe, scenario: 'small-cap-rotation', seed: 7, startMs: Date.parse('2024-01-02T14:30:00Z'), durationMs: 600_000, ratePerSec: 20 };
    const summary = await runPipeline(env, kafka, logger, new SyntheticSource({ ...options, speed: { kind: 'max' } }));

    const expected: Record<string, Tick[]> = {};
    const g = new SyntheticGenerator(options);
    const t = { symbol: '', price: 0, size: 0, ts: 0 };
    // The generator's order is the publish order, over which sourceMaxTs is the running maximum.
    let newest = -1;
    while (g.next(t)) {
      newest = Math.max(newest, t.ts);
      (expected[t.symbol] ??= []).push({ v: 1, symbol: t.symbol, price: t.price, ts: t.ts, source: 'synthetic', size: t.size, sourceMaxTs: newest });
    }

    expect(summary).toMatchObject({ read: g.total, published: g.total, deadLettered: 0, duplicates: 0 });
    const read = await readTicksTopic(kafka, topics.ticks);
    expectEndOfStream(read, env.KAFKA_TICKS_PARTITIONS, { v: 1, watermark: newest, source: 'synthetic', final: true });
    const got = bySymbol(read.ticks);
    expect(Object.keys(got).sort()).toEqual(universe.symbols);
    // Compared per symbol as JSON lines: a mismatch then names the symbol and the first differing tick.
    for (const symbol of universe.symbols) {
      const a = got[symbol]!.map((x) => JSON.stringify(x, Object.keys(x).sort()));
      const b = expected[symbol]!.map((x) => JSON.stringify(x, Object.keys(x).sort()));
      expect({ symbol, ticks: a }).toEqual({ symbol, ticks: b });
    }
  });
});
