/**
 * examples/curl/README.md's one-liners, exactly as written there, against a real gateway with
 * alerts: the live SSE line prints the alerts' frames as they happen, the history line the
 * latest alerts.
 */
import path from 'node:path';
import { ServerMessage } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import { DetectorSim, gateway, until } from '../gateway/support.js';
import { EXAMPLES, Program, readmeCommand } from './run.js';

const TOKEN = 'curl-token-0123456789abcdef';
const README = path.join(EXAMPLES, 'curl', 'README.md');

describe('examples/curl', () => {
  test('the README one-liners print real alerts', { timeout: 120_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `curl:${TOKEN}` });
    const live = new Program('sh', ['-c', readmeCommand(README, 'live')], { GATEWAY: gw.url, TOKEN });
    try {
      await until(() => gw.hub.connections.size === 1, 'curl to connect');
      const published = await sim.alerts(3, (seq) => ({ message: `Small caps lead: curl alert ${seq}` }));
      await live.until((p) => p.lines().filter((l) => l.includes('"type":"event"')).length === 3, 'three alert events');
      const frames = live.lines().map((l) => ServerMessage.parse(JSON.parse(l)));
      expect(frames[0]!.type).toBe('welcome');
      expect(frames.filter((f) => f.type === 'event').map((f) => f.type === 'event' && f.data)).toEqual(published);

      const recent = new Program('sh', ['-c', readmeCommand(README, 'recent')], { GATEWAY: gw.url, TOKEN });
      expect(await recent.exited).toBe(0);
      const body = JSON.parse(recent.stdout) as { alerts: Array<{ seq: number; message: string }> };
      expect(body.alerts.map((a) => a.message)).toEqual(published.map((a) => a.message));
    } finally {
      await live.stop();
      await gw.stop();
      await sim.close();
    }
  });
});
