/**
 * The rules API and rule alert delivery against a real gateway, broker and Redis: rules are
 * owner-scoped over REST, written to the compacted `<ns>.rules` topic and read back by a new
 * instance; rule alerts reach their owner on `alerts:mine` (with resume) and admins on
 * `alerts:rules`, and never anyone else, over websocket or HTTP.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '@rotation/config';
import { RuleRecord, type Alert, type RuleView } from '@rotation/schemas';
import { describe, expect, test } from '../support/fixtures.js';
import { readTopic } from '../chaos/support/read.js';
import { Client, DetectorSim, gateway, until } from './support.js';

const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';
const OPS = 'ops-token-0123456789abc';
const TOKENS = `alice:${ALICE},bob:${BOB},ops:${OPS}:admin`;

const rule = {
  name: 'Small caps up 1 pp today',
  subject: { type: 'pair', pair: 'IWM/SPY' },
  window: '1d',
  condition: { type: 'crosses_above', value: 1 },
  hysteresis: 0.25,
  message: '{{pair}} {{spreadPp}} over {{window}}',
};

function api(base: string, token: string) {
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    post: (body: unknown) => call('POST', '/api/v1/rules', body),
    list: (q = '') => call('GET', `/api/v1/rules${q}`),
    get: (id: string) => call('GET', `/api/v1/rules/${id}`),
    patch: (id: string, body: unknown) => call('PATCH', `/api/v1/rules/${id}`, body),
    del: (id: string) => call('DELETE', `/api/v1/rules/${id}`),
    act: (id: string, what: 'pause' | 'resume') => call('POST', `/api/v1/rules/${id}/${what}`),
  };
}

describe('rules API', () => {
  test('owner-scoped CRUD, pause and resume, clear errors, limits; records on <ns>.rules read back by a new instance', async ({ ns, withTopics, logger, kafka }) => {
    const topics = await withTopics();
    const env = { GATEWAY_AUTH_TOKENS: TOKENS, GATEWAY_RULES_MAX_PER_OWNER: '3' };
    let gw = await gateway(ns, logger, env);
    try {
      const alice = api(gw.url, ALICE);
      const bob = api(gw.url, BOB);
      const ops = api(gw.url, OPS);
      const created = await alice.post(rule);
      expect(created.status).toBe(201);
      const view = created.body as unknown as RuleView;
      expect(view).toMatchObject({ owner: 'alice', version: 1, status: 'active', lastFired: null, rule: { ...rule, dwell: '0', cooldown: '0', severity: 'info', deliver: { websocket: true } } });

      // Every invalid field is named.
      const bad = await alice.post({ ...rule, window: '3d', condition: { type: 'crosses_above' }, message: '{{pair}} {{nope}}', extra: 1 });
      expect(bad.status).toBe(400);
      const paths = (bad.body.issues as Array<{ path: string }>).map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['condition.value', '(body)']));
      const universe = await alice.post({ ...rule, subject: { type: 'pair', pair: 'IWM/ZZZ' }, window: '3d' });
      expect(universe.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'window' }), expect.objectContaining({ path: 'subject.pair', message: expect.stringMatching(/ZZZ is not a symbol/) })]));
      expect((await alice.post({ ...rule, deliver: { websocket: true, webhook: 'bobs-sink' } })).body.issues).toEqual([expect.objectContaining({ path: 'deliver.webhook' })]);
      expect((await alice.post('{not json')).status).toBe(400);
      expect((await fetch(`${gw.url}/api/v1/rules`, { method: 'POST', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, body: 'x'.repeat(20_000) })).status).toBe(413);

      // Bob can neither see nor change Alice's rule; it looks exactly like a missing one.
      expect(await bob.get(view.id)).toEqual({ status: 404, body: { error: 'no such rule' } });
      expect((await bob.patch(view.id, { name: 'mine now' })).status).toBe(404);
      expect((await bob.act(view.id, 'pause')).status).toBe(404);
      expect((await bob.del(view.id)).status).toBe(404);
      expect((await bob.list()).body.rules).toEqual([]);
      expect((await bob.list('?owner=alice')).status).toBe(403);
      // The admin sees every owner's rules.
      expect(((await ops.list()).body.rules as RuleView[]).map((r) => r.id)).toEqual([view.id]);
      expect(((await ops.list('?owner=bob')).body.rules as RuleView[])).toEqual([]);

      // PATCH merges and validates the whole rule; pause and resume are versions too.
      expect((await alice.patch(view.id, { condition: { type: 'enters_band', low: 2, high: 1 } })).body.issues).toEqual([expect.objectContaining({ path: 'condition.high' })]);
      expect((await alice.patch(view.id, { cooldown: '1bar', severity: 'warning' })).body).toMatchObject({ version: 2, rule: { cooldown: '1bar', severity: 'warning', name: rule.name } });
      expect((await alice.act(view.id, 'pause')).body).toMatchObject({ version: 3, status: 'paused' });
      expect((await alice.act(view.id, 'resume')).body).toMatchObject({ version: 4, status: 'active' });

      // Per-owner limit (3 here), counted per owner.
      expect((await alice.post({ ...rule, name: 'two' })).status).toBe(201);
      expect((await alice.post({ ...rule, name: 'three' })).status).toBe(201);
      const over = await alice.post({ ...rule, name: 'four' });
      expect(over.status).toBe(409);
      expect(over.body.error).toMatch(/3 rules/);
      expect((await bob.post({ ...rule, name: 'bob one' })).status).toBe(201);

      const gone = (await alice.list()).body.rules as RuleView[];
      expect((await alice.del(gone[2]!.id)).body).toEqual({ id: gone[2]!.id, status: 'deleted' });
      expect((await alice.get(gone[2]!.id)).status).toBe(404);
      expect((await alice.post({ ...rule, name: 'four' })).status).toBe(201);

      // The log: one record per change, keyed by rule id, the deleted one without its definition.
      const records = (await readTopic(kafka, topics.rules)).map((r) => ({ key: r.key, value: RuleRecord.parse(JSON.parse(r.value)) }));
      for (const r of records) expect(r.key).toBe(r.value.id);
      expect(records.filter((r) => r.key === view.id).map((r) => [r.value.version, r.value.status])).toEqual([[1, 'active'], [2, 'active'], [3, 'paused'], [4, 'active']]);
      expect(records.find((r) => r.value.status === 'deleted')?.value.rule).toBeUndefined();

      // Changes are rate limited per owner (5/s, bursts of 20): a flood gets 429, reads do not.
      const flood = await Promise.all(Array.from({ length: 30 }, () => bob.post({})));
      expect(flood.filter((r) => r.status === 429).length).toBeGreaterThan(0);
      expect(flood.find((r) => r.status === 429)?.body.error).toMatch(/rule changes a second/);
      expect((await bob.list()).status).toBe(200);

      // A new instance rebuilds the same view from the topic.
      const before = (await alice.list()).body;
      await gw.stop();
      gw = await gateway(ns, logger, env);
      expect((await api(gw.url, ALICE).list()).body).toEqual(before);
      expect(((await api(gw.url, BOB).list()).body.rules as RuleView[]).map((r) => r.rule.name)).toEqual(['bob one']);
    } finally {
      await gw.stop();
    }
  });

  test('the first JSON block of docs/rules.md is a rule POST /api/v1/rules accepts as it stands', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const doc = await readFile(path.join(REPO_ROOT, 'docs', 'rules.md'), 'utf8');
    const block = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: TOKENS });
    try {
      const res = await api(gw.url, ALICE).post(block!);
      expect(res.body.issues).toBeUndefined();
      expect(res.status).toBe(201);
    } finally {
      await gw.stop();
    }
  });
});

describe('rule alert delivery', () => {
  test('alerts:mine carries only the owner\'s rule alerts with resume; alerts:rules only for admins; HTTP history filtered', async ({ ns, withTopics, logger, redis, kafka }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: TOKENS });
    const owned = (owner: string) => (seq: number): Partial<Alert> => ({ kind: 'rule', owner, rule: `r_${owner}`, subject: 'IWM/SPY', message: `${owner} alert ${seq}`, deliver: { websocket: true } });
    const clients: Client[] = [];
    const connect = async (token: string, channels: string[], extra: Record<string, unknown> = {}) => {
      const c = await Client.connect(`${gw.wsUrl}?token=${token}`);
      clients.push(c);
      await c.next('welcome');
      c.send({ op: 'subscribe', id: 's1', channels, ...extra });
      await c.next('subscribed');
      return c;
    };
    try {
      const alice = await connect(ALICE, ['alerts:mine', 'alerts']);
      const bob = await connect(BOB, ['alerts:mine', 'alerts:rules']);
      const ops = await connect(OPS, ['alerts:rules']);
      expect((await bob.next('error')).code).toBe('forbidden_channel');

      const a1 = await sim.alerts(2, owned('alice')); // seqs 1, 2
      const pub = await sim.alerts(1); // 3
      const b1 = await sim.alerts(1, owned('bob')); // 4
      const a2 = await sim.alerts(1, owned('alice')); // 5
      await ops.untilSeq(5, 'alerts:rules');
      await alice.untilSeq(5, 'alerts:mine');
      await bob.untilSeq(4, 'alerts:mine');
      await alice.untilSeq(3, 'alerts');

      expect(alice.alertSeqs('alerts:mine')).toEqual([1, 2, 5]);
      expect(bob.alertSeqs('alerts:mine')).toEqual([4]);
      expect(bob.alertSeqs('alerts:rules')).toEqual([]);
      expect(ops.alertSeqs('alerts:rules')).toEqual([1, 2, 4, 5]);
      // Built-in alerts only on `alerts`, with prevSeq chained over them alone.
      const pubEvents = alice.messages.filter((m) => m.type === 'event' && m.channel === 'alerts');
      expect(pubEvents.map((m) => [(m as { seq: number }).seq, (m as { prevSeq: number }).prevSeq])).toEqual([[3, 0]]);
      // alerts:mine chains prevSeq per owner: 5 follows 2, a gap rule a client can apply.
      const mine = alice.messages.filter((m) => m.type === 'event' && m.channel === 'alerts:mine').map((m) => (m as { prevSeq: number }).prevSeq);
      expect(mine).toEqual([0, 1, 2]);
      expect(bob.messages.some((m) => m.type === 'event' && (m.data as Alert).owner === 'alice')).toBe(false);

      // Resume on alerts:mine from seq 1 replays only the owner's missed alerts.
      const again = await connect(ALICE, ['alerts:mine'], { resume: { 'alerts:mine': 1 }, epoch: 'e1' });
      await again.untilSeq(5, 'alerts:mine');
      expect(again.alertSeqs('alerts:mine')).toEqual([2, 5]);
      // A fresh subscription's snapshot holds only the owner's recent ones.
      const fresh = await connect(BOB, ['alerts:mine']);
      const snap = await fresh.next('snapshot', (m) => m.channel === 'alerts:mine');
      expect((snap.data as Alert[]).map((a) => a.seq)).toEqual([4]);

      // HTTP history: built-in alerts and one's own rule alerts; everything for admins.
      const seqs = async (token: string) => ((await (await fetch(`${gw.url}/api/v1/alerts?since=0`, { headers: { authorization: `Bearer ${token}` } })).json()) as { alerts: Alert[] }).alerts.map((a) => a.seq);
      expect(await seqs(ALICE)).toEqual([1, 2, 3, 5]);
      expect(await seqs(BOB)).toEqual([3, 4]);
      expect(await seqs(OPS)).toEqual([1, 2, 3, 4, 5]);
      expect([...a1, ...pub, ...b1, ...a2].map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
      await until(async () => (await fetch(`${gw.url}/readyz`)).status === 200, 'gateway ready');
    } finally {
      for (const c of clients) await c.close();
      await gw.stop();
      await sim.close();
    }
  });
});
