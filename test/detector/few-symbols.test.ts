/**
 * A replay of a few symbols into a clean namespace (issue: "a 3-symbol file never produces a
 * snapshot, warming up for ever"). The detector's watermark waits for every partition that
 * universe symbols hash to; a file of IJR, SPY and QQQ (all on partition 2 of 3) leaves the
 * other two silent. Paced, the replay now sends its progress as watermarks to every partition,
 * so snapshots come while it runs, and they say which symbols have no data instead of leaving
 * every measure that needs them looking like it is warming up.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '@rotation/config';
import { startDetector, type DetectorHandle } from '@rotation/detector';
import { partitionOfKey } from '@rotation/kafka';
import { sharedKeys } from '@rotation/redis';
import { SnapshotRecord, type Snapshot } from '@rotation/schemas';
import { Pipeline, ReplaySource } from '@rotation/ingester';
import { describe, expect, test } from '../support/fixtures.js';

const SYMBOLS = ['IJR', 'SPY', 'QQQ'] as const;
// Two June 2024 sessions (09:30-16:00 New York = 13:30Z-20:00Z), a print every 5 minutes.
const SESSIONS = ['2024-06-10', '2024-06-11'] as const;

function fileLines(): string[] {
  const lines = ['ts,symbol,price,size'];
  for (const [d, day] of SESSIONS.entries()) {
    const open = Date.parse(`${day}T13:30:00Z`);
    for (let m = 0; m < 390; m += 5) {
      for (const [i, s] of SYMBOLS.entries()) {
        // Each day a different drift per symbol, so 1d returns are not zero.
        const price = (100 + 50 * i) * (1 + (d * (i + 1) * 0.004 + (m / 390) * 0.003 * (i - 1)));
        lines.push(`${new Date(open + m * 60_000 + i).toISOString()},${s},${price.toFixed(4)},100`);
      }
    }
  }
  return lines;
}

describe('a replay of a few symbols', () => {
  test('produces snapshots while it runs, with the symbols it lacks flagged', { timeout: 240_000 }, async ({ ns, logger, kafka, withTopics, redis }) => {
    await withTopics();
    const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), KAFKA_TICKS_PARTITIONS: '3', INGESTER_WATERMARK_MS: '500' });
    // The premise: every symbol of the file on one partition, the others silent.
    expect(new Set(SYMBOLS.map((s) => partitionOfKey(s, 3)))).toEqual(new Set([2]));
    const dir = await mkdtemp(path.join(tmpdir(), 'few-symbols-'));
    let det: DetectorHandle | undefined;
    try {
      const file = path.join(dir, 'three.csv');
      await writeFile(file, fileLines().join('\n'));
      det = await startDetector({ config, logger, httpPort: null });
      await det.joined;
      // 2 sessions and a night of event time at 6000x: about 18 s of replay.
      const source = new ReplaySource({ files: [file], speed: { kind: 'factor', factor: 6_000 }, logger });
      let running = true;
      const run = new Pipeline({ env: config.env, universe: config.universe, logger, source, kafka }).run().finally(() => (running = false));
      const stored = async (): Promise<Snapshot | undefined> => {
        const raw = await redis.get(sharedKeys(ns).snapshot);
        return raw ? SnapshotRecord.parse(JSON.parse(raw)).snapshot : undefined;
      };
      let during: Snapshot | undefined;
      while (running && !during?.spreads.some((p) => p.pair === 'IJR/SPY' && p.spreadPp !== null)) {
        await new Promise((r) => setTimeout(r, 250));
        during = await stored();
      }
      expect(running, 'a snapshot with the IJR/SPY spread before the replay ended').toBe(true);
      expect(during!.noData).toBeDefined();
      const summary = await run;
      expect(summary).toMatchObject({ published: SESSIONS.length * 78 * SYMBOLS.length, deadLettered: 0 });

      // After the end of stream: the last step of the file evaluated, 1d over the two sessions.
      let last: Snapshot | undefined;
      // The last print is at 19:55:00.002Z: its one-minute step closes at 19:56.
      for (let i = 0; i < 240 && !(last?.asOf && last.asOf >= '2024-06-11T19:56:00.000Z'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        last = await stored();
      }
      expect(last?.asOf).toBe('2024-06-11T19:56:00.000Z');
      const missing = config.universe.symbols.filter((s) => !(SYMBOLS as readonly string[]).includes(s));
      expect([...(last!.noData ?? [])].sort()).toEqual([...missing].sort());
      const ijrSpy = last!.spreads.find((p) => p.pair === 'IJR/SPY' && p.window === '1d');
      expect(ijrSpy?.spreadPp).toEqual(expect.any(Number));
      expect(ijrSpy?.spreadPp).not.toBe(0);
      // A pair with one side missing has the other side's return and no spread.
      const iwmSpy = last!.spreads.find((p) => p.pair === 'IWM/SPY' && p.window === '1d');
      expect(iwmSpy).toMatchObject({ smallReturnPct: null, spreadPp: null, largeReturnPct: expect.any(Number) });
    } finally {
      await det?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
