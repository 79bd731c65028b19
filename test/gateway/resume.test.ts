import { describe, expect, test } from '../support/fixtures.js';
import { Client, DetectorSim, gateway, until } from './support.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('gateway resume', () => {
  test('a client that reconnects with its last seq gets exactly the missed alerts in order, on the same and on a second instance', async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    // gwB keeps only 2 alerts in memory, so its resumes are served from Redis history.
    const [gwA, gwB] = await Promise.all([gateway(ns, logger, {}, {}, `${ns}-a`), gateway(ns, logger, {}, { memoryAlerts: 2 }, `${ns}-b`)]);
    const clients: Client[] = [];
    try {
      const first = await Client.connect(gwA.wsUrl);
      clients.push(first);
      first.send({ op: 'subscribe', id: 's', channels: ['alerts', 'alerts:breadth_thrust'] });
      await first.next('snapshot', (m) => m.channel === 'alerts');
      await sim.alerts(3, (seq) => ({ kind: seq === 2 ? 'breadth_thrust' : 'spread_zscore' }));
      await first.untilSeq(3);
      expect(first.alertSeqs()).toEqual([1, 2, 3]);
      expect(first.alertSeqs('alerts:breadth_thrust')).toEqual([2]);
      const epoch = first.messages.find((m) => m.type === 'welcome')!.epoch;
      await first.close();

      // Published while nobody listens.
      await sim.alerts(5, (seq) => ({ kind: seq % 2 === 0 ? 'breadth_thrust' : 'spread_zscore' }));

      // Same instance: served from memory.
      const again = await Client.connect(gwA.wsUrl);
      clients.push(again);
      again.send({ op: 'subscribe', id: 'r', channels: ['alerts', 'alerts:breadth_thrust'], resume: { alerts: 3, 'alerts:breadth_thrust': 2 }, epoch });
      await again.untilSeq(8);
      expect(again.alertSeqs()).toEqual(range(4, 8));
      await again.untilSeq(8, 'alerts:breadth_thrust');
      expect(again.alertSeqs('alerts:breadth_thrust')).toEqual([4, 6, 8]);
      const replayed = again.messages.filter((m) => m.type === 'event' && m.channel === 'alerts');
      // prevSeq chains the replay, so the client can check it has no gap.
      expect(replayed.map((m) => (m as { prevSeq: number }).prevSeq)).toEqual(range(3, 7));
      expect(again.messages.some((m) => m.type === 'snapshot' || m.type === 'resync')).toBe(false);

      // Second instance, from Redis history (its memory holds only 2) once it has consumed all 8:
      // on a loaded machine it may still be behind, and a resume from its memory would be right
      // but not what this step checks (a full CI run saw 'memory' here).
      await until(() => gwB.hub.alerts.head >= 8, 'the second instance to consume seq 8');
      const other = await Client.connect(gwB.wsUrl);
      clients.push(other);
      other.send({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 2 }, epoch });
      await other.untilSeq(8);
      expect(other.alertSeqs()).toEqual(range(3, 8));
      const outcomes = (await gwB.metrics.resumes.get()).values.map((v) => v.labels.outcome);
      expect(outcomes).toContain('history');
      expect((await gwA.metrics.resumes.get()).values.map((v) => v.labels.outcome)).toContain('memory');

      // Live alerts continue on both without a gap or a duplicate.
      await sim.alerts(4);
      await Promise.all([again.untilSeq(12), other.untilSeq(12)]);
      expect(again.alertSeqs()).toEqual(range(4, 12));
      expect(other.alertSeqs()).toEqual(range(3, 12));
      // Both instances number and chain alerts alike.
      const tailA = again.messages.filter((m) => m.type === 'event' && m.channel === 'alerts' && m.seq > 8);
      const tailB = other.messages.filter((m) => m.type === 'event' && m.channel === 'alerts' && m.seq > 8);
      expect(tailA).toEqual(tailB);

      // Up to date: nothing replayed, only what comes next.
      const current = await Client.connect(gwB.wsUrl);
      clients.push(current);
      current.send({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 12 } });
      await current.next('subscribed');
      await sim.alerts(1);
      await current.untilSeq(13);
      expect(current.alertSeqs()).toEqual([13]);
    } finally {
      for (const c of clients) await c.close();
      await Promise.all([gwA.stop(), gwB.stop()]);
      await sim.close();
    }
  });

  test('a resume that history no longer reaches, or from another epoch, gets a resync with the current position', async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    await sim.alerts(10);
    await redis.xtrim(sim.keys.alertHistory, 'MAXLEN', 3);
    await sim.snapshot(1);
    const gw = await gateway(ns, logger, {}, { memoryAlerts: 2 });
    const client = await Client.connect(gw.wsUrl);
    try {
      client.send({ op: 'subscribe', id: 'r1', channels: ['alerts'], resume: { alerts: 2 }, epoch: 'e1' });
      const resync = await client.next('resync');
      expect(resync).toMatchObject({ channel: 'alerts', epoch: 'e1', seq: 10, reason: 'history_trimmed' });
      expect((resync.data as Array<{ seq: number }>).map((a) => a.seq)).toEqual([9, 10]);

      client.send({ op: 'subscribe', id: 'r2', channels: ['alerts:spread_zscore'], resume: { 'alerts:spread_zscore': 9 }, epoch: 'e0' });
      expect(await client.next('resync', (m) => m.channel === 'alerts:spread_zscore')).toMatchObject({ seq: 10, reason: 'epoch_changed' });

      // After a resync the stream continues live from the announced position.
      await sim.alerts(1);
      await client.untilSeq(11);
      expect(client.alertSeqs()).toEqual([11]);
      expect(client.alertSeqs('alerts:spread_zscore')).toEqual([11]);
    } finally {
      await client.close();
      await gw.stop();
      await sim.close();
    }
  });
});
