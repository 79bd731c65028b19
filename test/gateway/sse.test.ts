/**
 * Server-Sent Events against a real gateway, Kafka and Redis: alerts arrive as the websocket's
 * frames with `id: <epoch>:<seq>`, a reconnect with Last-Event-ID (header or `lastEventId`)
 * gets exactly the alerts it missed, auth is the API's, and a shutdown ends every stream.
 */
import { describe, expect, test } from '../support/fixtures.js';
import { DetectorSim, gateway, until } from './support.js';
import { SseReader } from './sse-client.js';

const TOKEN = 'sse-token-0123456789abcdef';
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('gateway event stream (SSE)', () => {
  test('alerts over SSE, then a reconnect with Last-Event-ID gets exactly the missed ones; auth as the API', { timeout: 120_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns, 'e-sse');
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `alice:${TOKEN}` });
    const readers: SseReader[] = [];
    try {
      const refused = await fetch(`${gw.url}/api/v1/events?channels=alerts`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${gw.url}/api/v1/events?channels=alerts:everything&token=${TOKEN}`)).status).toBe(400);
      expect((await fetch(`${gw.url}/api/v1/events?channels=alerts:rules&token=${TOKEN}`)).status).toBe(403);

      const first = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts,spreads`, { authorization: `Bearer ${TOKEN}` });
      readers.push(first);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await first.until((r) => r.messages().some((m) => m.type === 'snapshot' && m.channel === 'alerts'), 'the alerts snapshot');
      expect(first.messages()[0]).toMatchObject({ type: 'welcome', epoch: 'e-sse' });
      expect(first.lastId).toBe('e-sse:0');
      await sim.snapshot(1.5);
      await sim.alerts(3);
      await first.until((r) => r.alertSeqs().length === 3, 'three alerts');
      expect(first.alertSeqs()).toEqual([1, 2, 3]);
      expect(first.events.filter((e) => e.message.type === 'event' && e.message.channel === 'alerts').map((e) => e.lastId)).toEqual(['e-sse:1', 'e-sse:2', 'e-sse:3']);
      // State frames carry no id: they never move the resume position.
      await first.until((r) => r.messages().some((m) => m.type === 'event' && m.channel === 'spreads'), 'a spreads event');
      expect(first.lastId).toBe('e-sse:3');
      const lastId = first.lastId;
      await first.close();

      // Published while nobody listens.
      await sim.alerts(4);
      await until(() => gw.hub.alerts.head >= 7, 'the gateway to forward seq 7');

      const again = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts&token=${TOKEN}`, { 'last-event-id': lastId });
      readers.push(again);
      await again.until((r) => r.alertSeqs().length >= 4 && r.lastId === 'e-sse:7', 'the four missed alerts and the position');
      expect(again.alertSeqs()).toEqual(range(4, 7));
      expect(again.messages().some((m) => m.type === 'snapshot' || m.type === 'resync')).toBe(false);
      await sim.alerts(1);
      await again.until((r) => r.alertSeqs().includes(8), 'the live alert');
      expect(again.alertSeqs()).toEqual(range(4, 8));
      expect(again.lastId).toBe('e-sse:8');

      // The query parameter, for EventSource polyfills that cannot set headers.
      const polyfill = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts&token=${TOKEN}&lastEventId=e-sse:5`);
      readers.push(polyfill);
      await polyfill.until((r) => r.alertSeqs().length >= 3, 'alerts 6..8');
      expect(polyfill.alertSeqs()).toEqual(range(6, 8));

      // Several alert channels resumed at once: every id the stream sends is a position that
      // no channel is behind, so a reconnect from any of them loses nothing.
      const both = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts,alerts:spread_zscore&token=${TOKEN}&lastEventId=e-sse:2`);
      readers.push(both);
      await both.until((r) => r.alertSeqs('alerts:spread_zscore').length >= 6 && r.lastId === 'e-sse:8', 'both channels replayed');
      expect(both.alertSeqs()).toEqual(range(3, 8));
      expect(both.alertSeqs('alerts:spread_zscore')).toEqual(range(3, 8));
      // No id during the catch-up (this reader starts with none); the position comes after it.
      expect(both.events.filter((e) => e.message.type === 'event').every((e) => e.lastId === '')).toBe(true);

      // A reconnect from another epoch (history reset) gets a resync with the current position.
      const stale = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts&token=${TOKEN}&lastEventId=e-old:3`);
      readers.push(stale);
      await stale.until((r) => r.lastId === 'e-sse:8', 'the resync position');
      expect(stale.messages().find((m) => m.type === 'resync')).toMatchObject({ channel: 'alerts', epoch: 'e-sse', seq: 8, reason: 'epoch_changed' });
    } finally {
      for (const r of readers) await r.close();
      await gw.stop();
      await sim.close();
    }
  });

  test('heartbeats are comments, streams count against the websocket caps, and a shutdown ends every stream', { timeout: 120_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `bob:${TOKEN}`, GATEWAY_HEARTBEAT_MS: '200', GATEWAY_MAX_CONNECTIONS_PER_TOKEN: '2' });
    const readers: SseReader[] = [];
    try {
      const a = await SseReader.open(`${gw.url}/api/v1/events?channels=spreads&token=${TOKEN}`);
      const b = await SseReader.open(`${gw.url}/api/v1/events?channels=alerts&token=${TOKEN}`);
      readers.push(a, b);
      expect([a.status, b.status]).toEqual([200, 200]);
      await until(() => gw.hub.connections.size === 2, 'two streams attached');
      const third = await fetch(`${gw.url}/api/v1/events?channels=alerts&token=${TOKEN}`);
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('5');
      await a.until((r) => r.comments.includes('heartbeat'), 'a heartbeat comment');
      expect(a.messages().some((m) => m.type === 'heartbeat')).toBe(false);

      await gw.stop();
      await Promise.all([a.done, b.done]);
      expect(a.ended && b.ended).toBe(true);
      expect(a.messages().at(-1)).toEqual({ type: 'shutdown', reconnectAfterMs: 0 });
      expect(b.comments.at(-1)).toMatch(/^closed 1001/);
    } finally {
      for (const r of readers) await r.close();
      await gw.stop();
      await sim.close();
    }
  });
});
