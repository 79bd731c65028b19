/**
 * Webhooks wired to the pipeline: a gateway with WEBHOOKS_FILE consumes `<ns>.alerts` in the
 * `<ns>.webhooks` group and posts each alert to real HTTP receivers. A receiver that is down
 * and comes back gets every alert once, in order; a rejecting sink's alerts land in the Redis
 * dead-letter stream; offsets are committed only for finished alerts, so alerts published
 * while no gateway runs are posted after the restart and nothing earlier is posted again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { sharedKeys } from '@rotation/redis';
import type { Alert } from '@rotation/schemas';
import { verifySignature, type DeadLetterEntry } from '@rotation/webhooks';
import { DetectorSim, gateway, until } from '../gateway/support.js';
import { describe, expect, test } from '../support/fixtures.js';
import { Receiver } from './receiver.js';

const SECRET = 'whsec_relay_0123456789abcdef';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const seqsOf = (rx: Receiver, ok: (status: number) => boolean = () => true) =>
  rx.requests.filter((_r, i) => ok(rx.statuses[i]!)).map((r) => (JSON.parse(r.body) as { alert: Alert }).alert.seq!);

describe('webhook relay in the gateway', () => {
  test('posts every alert once and in order through an outage, dead-letters rejections, and resumes after a restart', async ({ ns, kafka, redis, logger, withTopics }) => {
    const topics = await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    cleanups.push(() => sim.close());
    const desk = await new Receiver().listen();
    const strict = await new Receiver().listen();
    strict.respond = () => 400;
    cleanups.push(() => desk.close(), () => strict.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'rotation-webhooks-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'webhooks.json');
    await writeFile(
      file,
      JSON.stringify({
        sinks: [
          { name: 'desk', url: desk.url, secret: SECRET, maxAttempts: 50, backoff: { baseMs: 20, capMs: 200 } },
          { name: 'strict', url: strict.url, kinds: ['breadth_thrust'] },
        ],
      }),
    );
    // The receivers are on 127.0.0.1: a loopback target has to be allowed explicitly.
    const env = { WEBHOOKS_FILE: file, WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' };

    let gw = await gateway(ns, logger, env);
    cleanups.push(async () => void (await gw.stop()));
    // A new group starts at the end of the topic: probe until the relay is reading.
    await until(async () => {
      await sim.alerts(1);
      await new Promise((r) => setTimeout(r, 200));
      return desk.requests.length > 0;
    }, 'the relay to post its first alert');
    const probed = Number(await redis.get(sharedKeys(ns).alertSeq));
    await until(() => seqsOf(desk).at(-1) === probed, 'the probe alerts');
    const first = seqsOf(desk)[0]!;

    // Signed as documented.
    const req = desk.requests[0]!;
    expect(verifySignature({ secret: SECRET, body: req.body, timestamp: String(req.headers['x-rotation-timestamp']), signature: String(req.headers['x-rotation-signature']), nowSec: Math.floor(Date.now() / 1000) }).ok).toBe(true);

    // The desk goes down (503s) while ten alerts and one breadth thrust are published.
    let down = true;
    desk.respond = () => (down ? 503 : 200);
    await sim.alerts(10);
    const [thrust] = await sim.alerts(1, () => ({ kind: 'breadth_thrust' }));
    await until(async () => seqsOf(desk).filter((s) => s > first).length >= 3, 'retries against the down receiver');
    down = false;
    const head = thrust!.seq;
    await until(async () => seqsOf(desk, (st) => st < 300).at(-1) === head, 'the desk to catch up');
    const delivered = seqsOf(desk, (st) => st < 300);
    expect(delivered).toEqual(Array.from({ length: head - first + 1 }, (_, i) => first + i));

    // The strict sink only wants breadth thrusts, and rejects them: one dead letter, no secrets.
    await until(async () => (await redis.xlen(sharedKeys(ns).webhooksDlq)) === 1, 'the dead letter');
    const entries = (await redis.xrange(sharedKeys(ns).webhooksDlq, '-', '+')) as Array<[string, string[]]>;
    const dead = JSON.parse(entries[0]![1][1]!) as DeadLetterEntry;
    expect(dead).toMatchObject({ sink: 'strict', reason: 'rejected', lastStatus: 400, attempts: 1 });
    expect(dead.alert.id).toBe(thrust!.id);
    expect(JSON.stringify(dead)).not.toContain('url-credential');
    expect(strict.requests).toHaveLength(1);

    // Stop: the group's committed offset is the end of the topic (everything finished).
    await gw.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [end] = await admin.fetchTopicOffsets(topics.alerts);
      const [committed] = await admin.fetchOffsets({ groupId: `${ns}.webhooks`, topics: [topics.alerts] });
      expect(committed!.partitions[0]!.offset).toBe(end!.high);
    } finally {
      await admin.disconnect();
    }

    // Published while no relay runs: posted after the restart, and nothing earlier again.
    const before = desk.requests.length;
    const missed = await sim.alerts(3);
    gw = await gateway(ns, logger, env);
    await until(async () => desk.requests.length >= before + 3, 'the alerts published during the downtime');
    await new Promise((r) => setTimeout(r, 500));
    expect(seqsOf(desk).slice(before)).toEqual(missed.map((a) => a.seq));
  });

  test('without WEBHOOKS_ALLOW_PRIVATE_TARGETS a loopback sink is refused: dead-lettered once as refused_target, nothing posted, offsets still committed', async ({ ns, kafka, redis, logger, withTopics }) => {
    const topics = await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    cleanups.push(() => sim.close());
    const local = await new Receiver().listen();
    cleanups.push(() => local.close());
    const dir = await mkdtemp(path.join(tmpdir(), 'rotation-webhooks-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'webhooks.json');
    await writeFile(file, JSON.stringify({ sinks: [{ name: 'local', url: local.url, maxAttempts: 50, backoff: { baseMs: 20, capMs: 200 } }] }));
    const gw = await gateway(ns, logger, { WEBHOOKS_FILE: file });
    cleanups.push(async () => void (await gw.stop()));
    // A new group starts at the end of the topic: publish until the relay has refused one.
    await until(async () => {
      await sim.alerts(1);
      await new Promise((r) => setTimeout(r, 200));
      return (await redis.xlen(sharedKeys(ns).webhooksDlq)) > 0;
    }, 'the first refused alert');
    const entries = (await redis.xrange(sharedKeys(ns).webhooksDlq, '-', '+')) as Array<[string, string[]]>;
    const dead = JSON.parse(entries[0]![1][1]!) as DeadLetterEntry;
    expect(dead).toMatchObject({ sink: 'local', reason: 'refused_target', attempts: 1, lastError: 'target resolves to a loopback address' });
    expect(JSON.stringify(dead)).not.toContain('url-credential');
    expect(local.requests).toHaveLength(0);
    // Refused is finished, not stuck: the group commits past it.
    await gw.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [end] = await admin.fetchTopicOffsets(topics.alerts);
      const [committed] = await admin.fetchOffsets({ groupId: `${ns}.webhooks`, topics: [topics.alerts] });
      expect(committed!.partitions[0]!.offset).toBe(end!.high);
    } finally {
      await admin.disconnect();
    }
  });
});
