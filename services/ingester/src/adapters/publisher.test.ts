import { describe, expect, it } from 'vitest';
import { DeadLetter, Tick, topicNames } from '@rotation/schemas';
import type { OutRecord } from '@rotation/kafka';
import { silentLogger } from '@rotation/log';
import { Normalizer } from '../core/normalize.js';
import { TickPublisher } from './publisher.js';

/** Records pushes; says "full" every third push so the backpressure path is exercised. */
class FakeProducer {
  records: OutRecord[] = [];
  waits = 0;
  push(r: OutRecord): boolean {
    this.records.push(r);
    return this.records.length % 3 !== 0;
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
    expect(p.counters).toEqual({ read: 5, published: 2, deadLettered: 2, duplicates: 1, deadLettersByReason: { unknown_symbol: 1, parse_error: 1 } });
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
});
