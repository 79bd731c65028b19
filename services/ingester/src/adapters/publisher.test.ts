import { describe, expect, it } from 'vitest';
import { DeadLetter, LaneWatermark, Tick, topicNames, WATERMARK_KEY } from '@rotation/schemas';
import type { OutRecord } from '@rotation/kafka';
import { silentLogger } from '@rotation/log';
import { Normalizer } from '../core/normalize.js';
import { TickPublisher } from './publisher.js';

/** Records pushes; says "full" every third push so the backpressure path is exercised. */
class FakeProducer {
  records: OutRecord[] = [];
  waits = 0;
  #listeners: Array<(records: readonly OutRecord[]) => void> = [];
  /** Records refused as the real producer refuses one larger than a produce request. */
  tooLarge = (_r: OutRecord) => false;
  push(r: OutRecord): boolean {
    if (this.tooLarge(r)) throw Object.assign(new Error('too large'), { code: 'KAFKA_RECORD_TOO_LARGE' });
    this.records.push(r);
    return this.records.length % 3 !== 0;
  }
  onAcked(listener: (records: readonly OutRecord[]) => void): void {
    this.#listeners.push(listener);
  }
  ackAll(): void {
    for (const l of this.#listeners) l(this.records);
  }
  async waitForRoom(): Promise<void> {
    this.waits += 1;
  }
}

describe('TickPublisher', () => {
  it('publishes ticks keyed by symbol at event time, dead-letters the rest and counts everything', async () => {
    const producer = new FakeProducer();
    const topics = topicNames('t');
    const p = new TickPublisher({ producer, normalizer: new Normalizer({ universe: { symbols: ['IWM'], aliases: {} } }), topics, logger: silentLogger(), now: () => 42 });
    const origin = { file: 'f.csv', line: 2 };
    const results = [
      p.quote({ symbol: 'iwm', price: '2', ts: '1704209400000' }, origin, 'a', 'replay'),
      p.quote({ symbol: 'IWM', price: 2, ts: 1_704_209_400_000 }, origin, 'b', 'replay'),
      p.quote({ symbol: 'QQQ', price: 2, ts: 1_704_209_400_000 }, { file: 'f.csv', line: 3 }, 'c', 'replay'),
      p.reject('parse_error', 'bad', { file: 'f.csv', line: 4 }, 'd', 'replay'),
      p.quote({ symbol: 'IWM', price: 3, ts: 1_704_209_400_001 }, origin, 'e', 'replay'),
    ];
    await Promise.all(results);
    // Accepted is not published: only what the broker acknowledged counts as published.
    expect(p.counters).toMatchObject({ accepted: 2, published: 0 });
    producer.ackAll();
    expect(p.lastAcked).toEqual({ ts: 1_704_209_400_001, origin });
    expect(p.counters).toEqual({ read: 5, accepted: 2, published: 2, deadLettered: 2, deadLettersLost: 0, duplicates: 1, deadLettersByReason: { unknown_symbol: 1, parse_error: 1 }, ineligibleByReason: {}, eventsByType: {}, skippedByReason: {} });
    expect(producer.records.map((r) => [r.topic, r.key, r.timestamp])).toEqual([
      [topics.ticks, 'IWM', 1_704_209_400_000],
      [topics.ticksDlq, 'replay', 42],
      [topics.ticksDlq, 'replay', 42],
      [topics.ticks, 'IWM', 1_704_209_400_001],
    ]);
    expect(Tick.parse(JSON.parse(producer.records[0]!.value as string))).toMatchObject({ symbol: 'IWM', price: 2, source: 'replay' });
    expect(DeadLetter.parse(JSON.parse(producer.records[1]!.value as string))).toEqual({
      v: 1, reason: 'unknown_symbol', message: 'symbol: QQQ is not in the universe', source: 'replay', origin: { file: 'f.csv', line: 3 }, raw: 'c', at: 42,
    });
    // The third push reported a full buffer: exactly that call returned a promise.
    expect(results.map((r) => r instanceof Promise)).toEqual([false, false, false, true, false]);
    expect(producer.waits).toBe(1);
  });

  it('stamps every published tick with the newest event time published so far, across symbols', () => {
    const producer = new FakeProducer();
    const p = new TickPublisher({ producer, normalizer: new Normalizer({ universe: { symbols: ['IWM', 'SPY'], aliases: {} } }), topics: topicNames('t'), logger: silentLogger() });
    const origin = { provider: 'synthetic' } as const;
    expect(p.newestTs).toBeUndefined();
    const T = 1_704_209_400_000;
    for (const [symbol, ts] of [['SPY', T + 2_000], ['IWM', T + 1_500], ['ZZZ', T + 9_000], ['IWM', T + 1_500], ['IWM', T + 2_500], ['SPY', T + 2_400]] as const) {
      void p.quote({ symbol, price: 1, ts }, origin, null, 'synthetic');
    }
    // ZZZ (unknown) and the repeated IWM (duplicate) were never published, so they do not count.
    const ticks = producer.records.filter((r) => r.topic === topicNames('t').ticks).map((r) => Tick.parse(JSON.parse(r.value as string)));
    expect(ticks.map((t) => [t.symbol, t.ts - T, t.sourceMaxTs! - T])).toEqual([['SPY', 2_000, 2_000], ['IWM', 1_500, 2_000], ['IWM', 2_500, 2_500], ['SPY', 2_400, 2_500]]);
    expect(p.newestTs).toBe(T + 2_500);
  });

  it('sends a watermark to every partition of the ticks topic, keyed and timed as a watermark', () => {
    const producer = new FakeProducer();
    const topics = topicNames('t');
    const p = new TickPublisher({ producer, normalizer: new Normalizer({ universe: { symbols: ['IWM'], aliases: {} } }), topics, logger: silentLogger() });
    p.watermark({ v: 1, watermark: 7_000, source: 'replay', final: true }, 3);
    expect(producer.records.map((r) => [r.topic, r.partition, r.key, r.timestamp])).toEqual([0, 1, 2].map((n) => [topics.ticks, n, WATERMARK_KEY, 7_000]));
    expect(producer.records.map((r) => LaneWatermark.parse(JSON.parse(r.value as string)))).toEqual(Array(3).fill({ v: 1, watermark: 7_000, source: 'replay', final: true }));
  });

  it('dead-letters a tick too large for any produce request instead of failing the run', async () => {
    const producer = new FakeProducer();
    producer.tooLarge = (r) => (r.value as string).includes('huge');
    const topics = topicNames('t');
    const p = new TickPublisher({ producer, normalizer: new Normalizer({ universe: { symbols: ['IWM'], aliases: {} } }), topics, logger: silentLogger() });
    await p.quote({ symbol: 'IWM', price: 2, ts: 1_704_209_400_000, id: 'huge' }, { file: 'f', line: 2 }, 'raw', 'replay');
    await p.quote({ symbol: 'IWM', price: 2, ts: 1_704_209_400_001 }, { file: 'f', line: 3 }, 'raw', 'replay');
    expect(producer.records.map((r) => r.topic)).toEqual([topics.ticksDlq, topics.ticks]);
    expect(p.counters.deadLettersByReason).toEqual({ too_large: 1 });
  });

  it('keeps publishing ticks when the DLQ producer has failed, counting the lost dead letters', async () => {
    const producer = new FakeProducer();
    const dlqProducer = Object.assign(new FakeProducer(), {
      push: () => {
        throw new Error('produce failed after retries');
      },
      waitForRoom: () => Promise.reject(new Error('failed')),
    });
    const topics = topicNames('t');
    const p = new TickPublisher({ producer, dlqProducer, normalizer: new Normalizer({ universe: { symbols: ['IWM'], aliases: {} } }), topics, logger: silentLogger() });
    await p.reject('parse_error', 'bad', { file: 'f', line: 2 }, 'x', 'replay');
    await p.quote({ symbol: 'IWM', price: 2, ts: 1_704_209_400_000 }, { file: 'f', line: 3 }, 'raw', 'replay');
    producer.ackAll();
    expect(p.counters).toMatchObject({ published: 1, deadLettered: 0, deadLettersLost: 1 });
  });
});
