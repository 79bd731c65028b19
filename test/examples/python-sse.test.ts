/**
 * examples/python-sse/consumer.py against a real gateway, Kafka and Redis: it prints the
 * alerts as they come, keeps going across a gateway restart, and resumes with Last-Event-ID
 * so the alerts published while the gateway was down are printed once, none twice.
 */
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '@rotation/config';
import { startGateway } from '@rotation/gateway';
import { describe, expect, test } from '../support/fixtures.js';
import { DetectorSim, gateway, until } from '../gateway/support.js';
import { EXAMPLES, Program } from './run.js';

const TOKEN = 'python-token-0123456789abcdef';
const SCRIPT = path.join(EXAMPLES, 'python-sse', 'consumer.py');
const seqsOf = (lines: string[]) => lines.map((l) => Number(/ #(\d+) /.exec(l)?.[1]));

describe('examples/python-sse', () => {
  test('prints live alerts and resumes across a gateway restart with exactly the missed ones', { timeout: 180_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const env = { GATEWAY_AUTH_TOKENS: `py:${TOKEN}` };
    let gw = await gateway(ns, logger, env);
    const program = new Program('python3', [SCRIPT, '--url', gw.url, '--max-alerts', '5'], { GATEWAY_TOKEN: TOKEN });
    try {
      await until(() => gw.hub.connections.size === 1, 'the consumer to connect');
      const first = await sim.alerts(2, (seq) => ({ message: `Small caps lead: python alert ${seq}` }));
      await program.until((p) => p.lines().length === 2, 'two alerts printed');
      expect(program.lines()[0]).toBe(`${first[0]!.eventTime} #1 warning  spread_zscore IWM/SPY 7d: Small caps lead: python alert 1`);

      const port = gw.port;
      await gw.stop();
      // Published while the gateway is down: the consumer retries and must get them on its return.
      await sim.alerts(2, (seq) => ({ message: `Small caps lead: python alert ${seq}` }));
      const config = loadConfig({ ROTATION_NAMESPACE: ns, KAFKA_BROKERS: inject('kafkaBrokers'), REDIS_URL: inject('redisUrl'), ...env });
      gw = await startGateway(config, { logger, port, host: '127.0.0.1', tuning: { probeMs: 300 } });
      await program.until((p) => p.lines().length === 4, 'the two missed alerts', 90_000);
      await sim.alerts(1, (seq) => ({ message: `Small caps lead: python alert ${seq}` }));
      expect(await program.exited).toBe(0);
      expect(seqsOf(program.lines())).toEqual([1, 2, 3, 4, 5]);
      expect(program.lines().every((l, i) => l.endsWith(`python alert ${i + 1}`))).toBe(true);
      expect(program.stderr).toMatch(/last-event-id: e1:5/);
    } finally {
      await program.stop();
      await gw.stop();
      await sim.close();
    }
  });

  test('a later run resumes from the position an earlier run printed; a wrong token is refused', { timeout: 120_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `py:${TOKEN}` });
    try {
      await sim.alerts(6);
      await until(() => gw.hub.alerts.head >= 6, 'the gateway to forward seq 6');
      const later = new Program('python3', [SCRIPT, '--url', gw.url, '--token', TOKEN, '--last-event-id', 'e1:3', '--max-alerts', '3', '--json']);
      expect(await later.exited).toBe(0);
      expect(later.lines().map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([4, 5, 6]);
      const refused = new Program('python3', [SCRIPT, '--url', gw.url, '--token', 'wrong-token-0123456789abcdef']);
      expect(await refused.exited).toBe(2);
      expect(refused.stderr).toMatch(/HTTP 401/);
    } finally {
      await gw.stop();
      await sim.close();
    }
  });
});
