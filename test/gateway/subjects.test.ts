/**
 * Subject-scoped subscriptions (`alerts@IWM/SPY`, `spreads@SPY`, `rrg@XLK`) against a real
 * gateway, Kafka and Redis, on the websocket and over SSE: only what is about the subject
 * arrives, the unscoped channels are unchanged, and a scoped channel resumes like any other.
 */
import { describe, expect, test } from '../support/fixtures.js';
import { Client, DetectorSim, gateway, until } from './support.js';
import { SseReader } from './sse-client.js';

const withPairs = <T extends { spreads: Array<{ pair: string }>; rrg: Array<{ symbol: string }> }>(s: T): T => ({
  ...s,
  rrg: [...s.rrg, { ...s.rrg[0]!, symbol: 'XLU', quadrant: 'lagging' }],
  spreads: [...s.spreads, { ...s.spreads[0]!, pair: 'QQQ/SPY', small: 'QQQ', large: 'SPY' }, { ...s.spreads[0]!, pair: 'IJR/DIA', small: 'IJR', large: 'DIA' }],
});

describe('gateway subject-scoped channels', () => {
  test('websocket and SSE get only the alerts and rows about their subject, and resume per channel', { timeout: 120_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger);
    const clients: Client[] = [];
    const readers: SseReader[] = [];
    try {
      const ws = await Client.connect(gw.wsUrl);
      clients.push(ws);
      ws.send({ op: 'subscribe', id: 's', channels: ['alerts@IWM/SPY', 'alerts@SPY', 'spreads@SPY', 'rrg@XLK', 'alerts'] });
      await ws.next('subscribed');
      const sse = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts@IWM/SPY,spreads@IWM/SPY`);
      readers.push(sse);
      await sse.until((r) => r.messages().some((m) => m.type === 'snapshot' && m.channel === 'spreads@IWM/SPY'), 'the scoped snapshot');

      await sim.snapshot(2.5, withPairs);
      const subjects = ['IWM/SPY', 'QQQ/SPY', 'XLK', 'IJR/DIA', 'IWM/SPY'];
      await sim.alerts(5, (seq) => ({ subject: subjects[seq - 1]!, kind: subjects[seq - 1] === 'XLK' ? 'rrg_quadrant_change' : 'spread_zscore' }));
      await ws.untilSeq(5);
      await ws.untilSeq(5, 'alerts@IWM/SPY');
      expect(ws.alertSeqs()).toEqual([1, 2, 3, 4, 5]);
      expect(ws.alertSeqs('alerts@IWM/SPY')).toEqual([1, 5]);
      expect(ws.alertSeqs('alerts@SPY')).toEqual([1, 2, 5]);
      const chain = ws.messages.filter((m) => m.type === 'event' && m.channel === 'alerts@SPY').map((m) => (m as { prevSeq: number }).prevSeq);
      expect(chain).toEqual([0, 1, 2]);
      const spreads = await ws.next('event', (m) => m.channel === 'spreads@SPY');
      expect((spreads.data as Array<{ pair: string }>).map((r) => r.pair)).toEqual(['IWM/SPY', 'QQQ/SPY']);
      const rrg = await ws.next('event', (m) => m.channel === 'rrg@XLK');
      expect((rrg.data as Array<{ symbol: string }>).map((p) => p.symbol)).toEqual(['XLK']);

      await sse.until((r) => r.alertSeqs('alerts@IWM/SPY').length === 2, 'the two IWM/SPY alerts over SSE');
      expect(sse.alertSeqs('alerts@IWM/SPY')).toEqual([1, 5]);
      expect(sse.lastId).toMatch(/:5$/);
      await sse.until((r) => r.messages().some((m) => m.type === 'event' && m.channel === 'spreads@IWM/SPY'), 'the IWM/SPY spread event');
      const sseSpread = sse.messages().find((m) => m.type === 'event' && m.channel === 'spreads@IWM/SPY')!;
      expect((sseSpread as { data: Array<{ pair: string }> }).data.map((r) => r.pair)).toEqual(['IWM/SPY']);
      const lastId = sse.lastId;
      await sse.close();
      await ws.close();

      // Missed while away: 6 QQQ/SPY, 7 IWM/SPY, 8 XLK.
      const later = ['QQQ/SPY', 'IWM/SPY', 'XLK'];
      await sim.alerts(3, (seq) => ({ subject: later[seq - 6]! }));
      await until(() => gw.hub.alerts.head >= 8, 'seq 8 forwarded');
      const back = await Client.connect(gw.wsUrl);
      clients.push(back);
      back.send({ op: 'subscribe', id: 'r', channels: ['alerts@SPY'], resume: { 'alerts@SPY': 5 } });
      await back.untilSeq(7, 'alerts@SPY');
      expect(back.messages.filter((m) => m.type === 'event').map((m) => [(m as { seq: number }).seq, (m as { prevSeq: number }).prevSeq])).toEqual([[6, 5], [7, 6]]);
      const sseBack = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts@IWM/SPY`, { 'last-event-id': lastId });
      readers.push(sseBack);
      await sseBack.until((r) => r.lastId.endsWith(':8'), 'caught up to 8');
      expect(sseBack.alertSeqs('alerts@IWM/SPY')).toEqual([7]);
    } finally {
      for (const r of readers) await r.close();
      for (const c of clients) await c.close();
      await gw.stop();
      await sim.close();
    }
  });
});
