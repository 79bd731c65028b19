/**
 * End to end: a live adapter (against the fake Alpaca stream) feeding the real TickPublisher
 * and BatchingProducer puts exactly the expected ticks on `<ns>.ticks` and dead letters on
 * `<ns>.ticks.dlq`, across a reconnect that re-sends a trade.
 */
import { parseEnv } from '@rotation/config';
import { BatchingProducer, createConsumer } from '@rotation/kafka';
import { DeadLetter, Tick } from '@rotation/schemas';
import { createLiveSource, TickPublisher, Normalizer } from '@rotation/ingester';
import { alpacaTrade, FakeAlpaca } from '../fakes/alpaca.js';
import { describe, expect, test } from '../support/fixtures.js';
import { FAST, MemorySink, smallUniverse } from './support.js';

const KEY = 'AKFAKEKEYID0002';
const SECRET = 'fake-secret-value-0002';

describe('live adapter -> publisher -> Kafka', () => {
  test('ticks and dead letters from a live stream reach their topics exactly once, across a reconnect', async ({ kafka, withTopics, ns, logger }) => {
    const topics = await withTopics();
    const universe = smallUniverse();
    const lastOfFirst = alpacaTrade('IWM', 200.25, 10, '2024-07-24T14:30:02Z', 3);
    const first = [
      alpacaTrade('SPY', 450.12, 100, '2024-07-24T14:30:00.123456789Z', 1),
      alpacaTrade('QQQ', 380, 1, '2024-07-24T14:30:00.5Z', 2), // not in the universe
      { T: 't', S: 'SPY', p: -4, t: '2024-07-24T14:30:01Z' }, // well formed, invalid value
      { T: 't', S: 'SPY', p: 'x', t: '2024-07-24T14:30:01Z' }, // not decodable
      lastOfFirst,
    ];
    // The provider re-sends its last trade after the reconnect: the publisher drops it.
    const second = [lastOfFirst, alpacaTrade('XLK', 210.5, 5, '2024-07-24T14:30:03Z', 4, 'K')];
    const fake = await FakeAlpaca.start({ keyId: KEY, secretKey: SECRET, scripts: [{ frames: [first], then: 'drop' }, { frames: [second] }] });
    const producer = new BatchingProducer(kafka, { logger, lingerMs: 2 });
    await producer.connect();
    const publisher = new TickPublisher({ producer, normalizer: new Normalizer({ universe }), topics, logger });
    const env = parseEnv({ ALPACA_KEY_ID: KEY, ALPACA_SECRET_KEY: SECRET, ALPACA_STREAM_URL: fake.url });
    const src = createLiveSource('alpaca', { env, universe, logger, ...FAST });
    const consumer = createConsumer(kafka, { groupId: `${ns}.live-e2e`, logger, onFatal: (e) => { throw e; } });
    try {
      // The publisher is the sink; the MemorySink beside it only tells when everything went through.
      const seen = new MemorySink();
      const done = src.start({
        quote: (...args) => (seen.quote(...args), publisher.quote(...args)),
        reject: (...args) => (seen.reject(...args), publisher.reject(...args)),
        event: (...args) => (seen.event(...args), publisher.event(...args)),
        skip: (...args) => (seen.skip(...args), publisher.skip(...args)),
      });
      await seen.waitFor((s) => s.events.length === first.length + second.length, 'both batches through the publisher');
      expect(fake.connections).toHaveLength(2);
      await src.stop();
      await done;
      await producer.close();

      const ticks: Tick[] = [];
      const letters: DeadLetter[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [topics.ticks, topics.ticksDlq], fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ topic, message }) => {
            const value: unknown = JSON.parse(message.value!.toString());
            if (topic === topics.ticks) ticks.push(Tick.parse(value));
            else letters.push(DeadLetter.parse(value));
            if (ticks.length === 3 && letters.length === 3) resolve();
          },
        });
      });

      // The feed arrived in event-time order, so each tick is the newest its source had published.
      // The regular trades keep their condition; an all-eligible print carries no eligibility.
      const at = (iso: string) => ({ ts: Date.parse(iso), sourceMaxTs: Date.parse(iso) });
      expect(ticks.sort((a, b) => a.ts - b.ts)).toEqual([
        { v: 1, symbol: 'SPY', price: 450.12, size: 100, ...at('2024-07-24T14:30:00.123Z'), tsNanos: 456789, source: 'alpaca', id: 'V-1', conditions: ['@'] },
        { v: 1, symbol: 'IWM', price: 200.25, size: 10, ...at('2024-07-24T14:30:02Z'), source: 'alpaca', id: 'V-3', conditions: ['@'] },
        { v: 1, symbol: 'XLK', price: 210.5, size: 5, ...at('2024-07-24T14:30:03Z'), source: 'alpaca', id: 'K-4', conditions: ['@'] },
      ]);
      expect(letters.map((l) => [l.reason, l.source, l.origin.provider, l.raw])).toEqual([
        ['unknown_symbol', 'alpaca', 'alpaca', JSON.stringify(first[1])],
        ['invalid_tick', 'alpaca', 'alpaca', JSON.stringify(first[2])],
        ['parse_error', 'alpaca', 'alpaca', JSON.stringify(first[3])],
      ]);
      expect(letters[2]!.message).toBe('trade: field p must be a number');
      // All three came in one frame, and that frame number is where they are found.
      expect(new Set(letters.map((l) => l.origin.frame)).size).toBe(1);
      expect(publisher.counters).toMatchObject({ published: 3, deadLettered: 3, duplicates: 1 });

      const admin = kafka.admin();
      await admin.connect();
      const high = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
      expect([await high(topics.ticks), await high(topics.ticksDlq)]).toEqual([3, 3]);
      await admin.disconnect();
    } finally {
      await src.stop();
      await consumer.disconnect();
      await producer.close().catch(() => undefined);
      await fake.close();
    }
  });
});
