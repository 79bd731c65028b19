import { Detector, compileSettings, detectorKeys, historyTracks, processBatch, RedisStateStore } from '@rotation/detector';
import { describe, expect, test } from '../support/fixtures.js';
import { XNYS, replayUniverse, tickJson } from './support.js';

describe('RedisStateStore', () => {
  test('a commit is all or nothing, loads back bit for bit, and a taken-over instance cannot write', async ({ ns, redis, logger }) => {
    const settings = compileSettings(replayUniverse());
    const keys = detectorKeys(ns);
    const first = new RedisStateStore(redis, keys, settings.symbols, settings.ringLength, logger);
    await first.acquire();
    expect(await first.load()).toBeNull();
    const det = new Detector({ settings, lanes: [0], topic: 'ticks', now: () => 0 });
    // Hourly prints inside the regular session of 2024-03-04 (only those set prices).
    const open = XNYS.sessionOn('2024-03-04')!.open;
    const records = ['SPY', 'XLE', 'XLK', 'XLU', 'IWM', 'NVDA', 'MSFT', 'RSP'].flatMap((symbol, j) =>
      [1, 2, 3, 4, 5].map((i) => ({ symbol, price: 100 + i + j, ts: open + i * 3_600_000 + j })),
    );
    const out = processBatch(det, records.sort((a, b) => a.ts - b.ts).map((t, i) => ({ lane: 0, offset: String(i), value: tickJson(t) })), {});
    // Every 5-minute step from the first print's to the last one below the watermark (newest print - 5 min).
    expect(out.steps).toBe((4 * 60 - 5) / 5 + 1);
    expect(out.marketClosed + out.extendedHours).toBe(0);
    const committed = await first.commit(out.request);
    expect(committed.snapshot?.version).toBe(1);
    expect(committed.snapshot?.snapshot.asOf).toBe(new Date(open + 5 * 3_600_000 - 5 * 60_000).toISOString());
    expect(await redis.hgetall(keys.offsets)).toEqual({ '0': String(records.length) });

    // A second instance takes over: it sees exactly what was committed ...
    const second = new RedisStateStore(redis, keys, settings.symbols, settings.ringLength, logger);
    await second.acquire();
    const loaded = (await second.load())!;
    const restored = new Detector({ settings, lanes: [0], topic: 'ticks', now: () => 0 }, loaded);
    expect(restored.persisted()).toEqual(det.persisted());
    // ... and the first one can no longer commit anything.
    const before = await redis.get(keys.state);
    await expect(first.commit(out.request)).rejects.toMatchObject({ code: 'DETECTOR_FENCED' });
    expect(await redis.get(keys.state)).toBe(before);
    expect(await redis.get(keys.commit)).toBe('1');
  });

  test('chart points go in with the commit; a state that starts over starts its point history over', async ({ ns, redis, logger }) => {
    const settings = compileSettings(replayUniverse());
    const keys = detectorKeys(ns);
    const store = new RedisStateStore(redis, keys, settings.symbols, settings.ringLength, logger, historyTracks(settings));
    await store.acquire();
    expect(await store.load()).toBeNull();
    const det = new Detector({ settings, lanes: [0], topic: 'ticks', now: () => 0 });
    const open = XNYS.sessionOn('2024-03-04')!.open;
    const records = ['SPY', 'XLE', 'XLK', 'XLU', 'IWM', 'NVDA', 'MSFT', 'RSP'].flatMap((symbol, j) => [1, 2, 3].map((i) => ({ symbol, price: 100 + i + j, ts: open + i * 3_600_000 + j })));
    const out = processBatch(det, records.sort((a, b) => a.ts - b.ts).map((t, i) => ({ lane: 0, offset: String(i), value: tickJson(t) })), {});
    // One step every 5 minutes: the 1h track (spaced one step) has a point at every one.
    expect(out.request.history!.filter((w) => w.track.id === '1h')).toHaveLength(out.steps);
    await store.commit(out.request);
    const hourly = keys.shared.historyWindow('1h');
    expect(await redis.xlen(hourly)).toBe(out.steps);
    const [[lastId, fields]] = (await redis.xrevrange(hourly, '+', '-', 'COUNT', 1)) as [[string, string[]]];
    expect(lastId).toBe(`${Date.parse(out.request.snapshot!.asOf!)}-0`);
    expect(JSON.parse(fields[1]!)).toMatchObject({ v: 1, t: out.request.snapshot!.asOf });
    // Without a stored state (rebuilt namespace), older event times come again: the streams go.
    await redis.del(keys.state);
    expect(await store.load()).toBeNull();
    expect(await redis.exists(hourly, keys.shared.historyRrg)).toBe(0);
  });

  test('state built with other settings is refused, not mixed', async ({ ns, redis, logger }) => {
    const settings = compileSettings(replayUniverse());
    const store = new RedisStateStore(redis, detectorKeys(ns), settings.symbols, settings.ringLength, logger);
    await store.checkSettings('a');
    await store.checkSettings('a');
    await expect(store.checkSettings('b')).rejects.toMatchObject({ code: 'DETECTOR_STATE_CORRUPT' });
  });
});
