/**
 * Rules of one's own, end to end on the real broker and Redis with real processes: two owners
 * with overlapping rules (the same pair, window and threshold, plus one each of their own)
 * each get exactly their rule alerts, in order, over their websocket channel and their webhook
 * sink, while the detector is killed with -9 mid-replay and the gateway is restarted. The
 * shared sink of the operator gets the built-in alerts and none of the rule alerts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNIVERSE_FILE, loadUniverseFile } from '@rotation/config';
import { compileSettings, Detector, lanesForSymbols, processBatch, processRuleBatch, type InputRecord } from '@rotation/detector';
import type { Kafka } from '@rotation/kafka';
import { topicNames, type Alert, type RuleSpecInput } from '@rotation/schemas';
import { Receiver } from '../webhooks/receiver.js';
import { chaosEnv } from './support/infra.js';
import { committedRecords, expectedTicks, ingestAll, MULTI_DAY, paceOver, startDetector, waitForDetectorDone } from './support/pipeline.js';
import { createNamespaceTopics, openRedis, readAlertHistory, readTopic } from './support/read.js';
import { spawnService, waitUntil, type ServiceProcess } from './support/services.js';
import { ResumingAlertClient } from './support/ws-client.js';
import { sharedPipeline } from './support/shared-pipeline.js';

const { kafkaBrokers, redisUrl, kafka, namespace } = sharedPipeline();

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';

/** Both owners watch IWM/SPY over 1h crossing +0.2 pp; each has one more rule of their own. */
const RULES: Array<{ token: string; rule: RuleSpecInput }> = [
  { token: ALICE, rule: { name: 'small caps lead 1h', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1h', condition: { type: 'crosses_above', value: 0.2 }, hysteresis: 0.1, cooldown: '30m', deliver: { websocket: true, webhook: 'alice-desk' }, message: 'alice: {{pair}} {{spreadPp}} over {{window}}' } },
  { token: ALICE, rule: { name: 'tech lags today', subject: { type: 'sector', symbol: 'XLK' }, window: '1d', condition: { type: 'crosses_below', value: 0 }, dwell: '5m', cooldown: '1h' } },
  { token: BOB, rule: { name: 'small caps lead 1h', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1h', condition: { type: 'crosses_above', value: 0.2 }, hysteresis: 0.1, cooldown: '30m', deliver: { websocket: true, webhook: 'bob-desk' }, message: 'bob: {{pair}} {{spreadPp}} over {{window}}' } },
  { token: BOB, rule: { name: 'small caps fall behind today', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1d', condition: { type: 'crosses_below', value: 0 }, cooldown: '1h', deliver: { websocket: false, webhook: 'bob-desk' } } },
];

/** Alert ids a receiver got, first delivery of each (X-Rotation-Delivery dedupes the at-least-once repeats), in arrival order. */
function deliveredOnce(r: Receiver): Alert[] {
  const seen = new Set<string>();
  const out: Alert[] = [];
  for (const req of r.requests) {
    const id = String(req.headers['x-rotation-delivery']);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push((JSON.parse(req.body) as { alert: Alert }).alert);
  }
  return out;
}

/**
 * The rule alerts an uninterrupted detector decides for the same topics: the pure core over
 * the rule records, then the ticks topic's records partition by partition (arrival order does
 * not change results: docs/architecture.md).
 */
async function referenceRuleAlerts(kafka: Kafka, ns: string): Promise<Array<Pick<Alert, 'id' | 'eventTime' | 'message' | 'owner' | 'rule'>>> {
  const topics = topicNames(ns);
  const settings = compileSettings(loadUniverseFile(DEFAULT_UNIVERSE_FILE));
  const ticks = await readTopic(kafka, topics.ticks);
  const partitions = Math.max(...ticks.map((r) => r.partition)) + 1;
  const detector = new Detector({ settings, lanes: lanesForSymbols(settings.symbols, partitions, topics.ticks), topic: topics.ticks, now: () => 0 });
  processRuleBatch(detector, (await readTopic(kafka, topics.rules)).map((r) => ({ lane: r.partition, offset: r.offset, value: r.value })), {});
  const byLane = new Map<number, InputRecord[]>();
  for (const r of ticks) byLane.set(r.partition, [...(byLane.get(r.partition) ?? []), { lane: r.partition, offset: r.offset, value: r.value }]);
  const offsets: Record<string, string> = {};
  const out: Alert[] = [];
  for (let at = 0; [...byLane.values()].some((l) => at < l.length); at += 500) {
    for (const list of byLane.values()) out.push(...processBatch(detector, list.slice(at, at + 500), offsets).request.alerts.map((a) => a as Alert));
  }
  return out.filter((a) => a.kind === 'rule').map(({ id, eventTime, message, owner, rule }) => ({ id, eventTime, message, owner, rule }));
}

async function startGateway(env: Record<string, string>, id: string): Promise<{ gw: ServiceProcess; ws: string; http: string }> {
  const gw = spawnService('gateway', [], { env: { ...env, GATEWAY_INSTANCE_ID: id }, label: id });
  const line = await gw.waitForLog('ready for clients', 90_000);
  return { gw, ws: String(line.json?.websocket), http: String(line.json?.http) };
}

describe('rules of one\'s own', () => {
  it('two owners with overlapping rules each get exactly their alerts over websocket and webhook, in order, across a detector kill -9 and a gateway restart', async () => {
    const ns = namespace();
    const set = { ...MULTI_DAY, seed: 5, speed: paceOver(MULTI_DAY, 45) };
    const total = expectedTicks(set);
    await createNamespaceTopics(kafka, ns, 3);
    const dir = await mkdtemp(path.join(tmpdir(), 'rules-chaos-'));
    const [toAlice, toBob, toOps] = await Promise.all([new Receiver().listen(), new Receiver().listen(), new Receiver().listen()]);
    const sinks = [
      { name: 'alice-desk', url: toAlice.url, owner: 'alice', backoff: { baseMs: 50, capMs: 500 } },
      { name: 'bob-desk', url: toBob.url, owner: 'bob', backoff: { baseMs: 50, capMs: 500 } },
      { name: 'ops', url: toOps.url, backoff: { baseMs: 50, capMs: 500 } },
    ];
    await writeFile(path.join(dir, 'webhooks.json'), JSON.stringify({ sinks }));
    const env = await chaosEnv({
      ns,
      kafkaBrokers,
      redisUrl,
      set: { GATEWAY_AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`, WEBHOOKS_FILE: path.join(dir, 'webhooks.json'), WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' },
    });
    const redis = await openRedis(redisUrl);
    const alice = new ResumingAlertClient({ channel: 'alerts:mine' });
    const bob = new ResumingAlertClient({ channel: 'alerts:mine' });
    try {
      let detector = startDetector(env, 'detector-0');
      await detector.waitForLog('detector started', 120_000);
      let gateway = await startGateway(env, 'gw-1');
      for (const { token, rule } of RULES) {
        const res = await fetch(`${gateway.http}/api/v1/rules`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(rule) });
        expect(res.status, await res.clone().text()).toBe(201);
      }
      await waitUntil('the detector to take the four rules', async () => (await redis.hlen(`${ns}:detector:rules`)) === 4, 60_000, 100);
      await alice.connect(`${gateway.ws}?token=${ALICE}`);
      await bob.connect(`${gateway.ws}?token=${BOB}`);

      const ingest = ingestAll(env, set);
      await waitUntil('the detector to get a third of the way', async () => (await committedRecords(redis, ns)) >= total / 3, 240_000, 50);
      expect(await committedRecords(redis, ns)).toBeLessThan(total);
      await detector.kill9();
      detector = startDetector(env, 'detector-1');

      await waitUntil('the replay to get two thirds of the way', async () => (await committedRecords(redis, ns)) >= (2 * total) / 3, 240_000, 100);
      expect(await committedRecords(redis, ns)).toBeLessThan(total);
      expect((await gateway.gw.sigterm()).code).toBe(0);
      gateway = await startGateway(env, 'gw-2');
      await alice.connect(`${gateway.ws}?token=${ALICE}`);
      await bob.connect(`${gateway.ws}?token=${BOB}`);

      expect((await ingest).code).toBe(0);
      await waitForDetectorDone(kafka, redis, ns, total);
      const history = await readAlertHistory(redis, ns);
      // Exactly once in effect across the kill: a rule decision redone after the restart would
      // reappear with its id; and the decisions are the ones an uninterrupted detector makes.
      expect(new Set(history.map((a) => a.id)).size).toBe(history.length);
      const reference = await referenceRuleAlerts(kafka, ns);
      expect(history.filter((a) => a.kind === 'rule').map(({ id, eventTime, message, owner, rule }) => ({ id, eventTime, message, owner, rule }))).toEqual(reference);
      const of = (owner: string) => history.filter((a) => a.kind === 'rule' && a.owner === owner);
      const aliceAll = of('alice');
      const bobAll = of('bob');
      expect(aliceAll.length).toBeGreaterThan(5);
      expect(bobAll.length).toBeGreaterThan(5);
      // Overlapping rules: the shared one fired for both at the same event times.
      const shared = (all: Alert[]) => all.filter((a) => a.window === '1h').map((a) => a.eventTime);
      expect(shared(aliceAll)).toEqual(shared(bobAll));

      const aliceWs = aliceAll.filter((a) => a.deliver?.websocket !== false);
      const bobWs = bobAll.filter((a) => a.deliver?.websocket !== false);
      await waitUntil('both clients to have their last rule alert', () => alice.lastSeq >= aliceWs.at(-1)!.seq! && bob.lastSeq >= bobWs.at(-1)!.seq!, 60_000, 50);
      expect(alice.resyncs).toEqual([]);
      expect(bob.resyncs).toEqual([]);
      expect(alice.received.map((r) => r.alert)).toEqual(aliceWs);
      expect(bob.received.map((r) => r.alert)).toEqual(bobWs);

      const hooked = (all: Alert[], sink: string) => all.filter((a) => a.deliver?.webhook === sink).map((a) => a.id);
      await waitUntil('the sinks to get every rule alert', () => deliveredOnce(toAlice).length >= hooked(aliceAll, 'alice-desk').length && deliveredOnce(toBob).length >= hooked(bobAll, 'bob-desk').length, 60_000, 100);
      expect(deliveredOnce(toAlice).map((a) => a.id)).toEqual(hooked(aliceAll, 'alice-desk'));
      expect(deliveredOnce(toBob).map((a) => a.id)).toEqual(hooked(bobAll, 'bob-desk'));
      expect(deliveredOnce(toAlice).every((a) => a.message.startsWith('alice: IWM/SPY'))).toBe(true);
      // The operator's shared sink: built-in alerts only.
      expect(deliveredOnce(toOps).some((a) => a.kind === 'rule')).toBe(false);
      await detector.sigterm();
      await gateway.gw.sigterm();
    } finally {
      await alice.close();
      await bob.close();
      await redis.quit();
      for (const r of [toAlice, toBob, toOps]) await r.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
