import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '@rotation/log';
import type { RuleCatalog } from '@rotation/schemas';
import type { Viewer } from '../core/channels.js';
import type { OwnerRateLimit } from '../core/owner-rate.js';
import { planCreate, planDelete, planPatch, planStatus, toView, type RulePlan, type RulesContext } from '../core/rules-api.js';
import type { RulesService } from './rules-service.js';
import { withJsonBody, type Reply } from './json-body.js';

/** Largest rule request body: a rule is well under 2 KiB. */
export const MAX_RULE_BODY_BYTES = 16 * 1024;
/** Rule changes per owner: 5 a second, bursts of 20 (a script creating a batch of rules). */
export const RULE_WRITES_PER_SEC = 5;
export const RULE_WRITES_BURST = 20;

export interface RulesRoutesOptions {
  service: RulesService;
  catalog: RuleCatalog;
  sinks: ReadonlyMap<string, string | undefined>;
  maxPerOwner: number;
  /** Event time of the newest evaluated step this gateway has seen (the snapshot's asOf), or null. */
  effectiveFrom: () => number | null;
  logger: Logger;
  /** Per-owner limit on changes (RULE_WRITES_PER_SEC, RULE_WRITES_BURST in production). */
  writes: OwnerRateLimit;
}


const ID = '(r_[0-9a-f]{24})';
const ONE = new RegExp(`^/api/v1/rules/${ID}$`);
const ACTION = new RegExp(`^/api/v1/rules/${ID}/(pause|resume)$`);

/**
 * `/api/v1/rules`: owner-scoped CRUD plus pause and resume. Returns false for a path that is
 * not a rules path (the caller answers 404). Every answer names what is wrong with the
 * request; another owner's rule is answered exactly like a missing one.
 */
export async function handleRules(req: IncomingMessage, path: string, params: URLSearchParams, viewer: Viewer, o: RulesRoutesOptions, reply: Reply): Promise<boolean> {
  const method = req.method ?? 'GET';
  const one = ONE.exec(path);
  const action = ACTION.exec(path);
  if (path !== '/api/v1/rules' && !one && !action) return false;
  if (!o.service.ready) return reply(503, { error: 'rules are still loading' }, { 'retry-after': '1' }), true;
  if (method !== 'GET' && method !== 'HEAD' && !o.writes.take(viewer.owner, Date.now())) {
    return reply(429, { error: `at most ${RULE_WRITES_PER_SEC} rule changes a second (bursts of ${RULE_WRITES_BURST}); slow down` }, { 'retry-after': '1' }), true;
  }
  if (path === '/api/v1/rules') {
    if (method === 'GET' || method === 'HEAD') return void (await list(params, viewer, o, reply)), true;
    if (method === 'POST') return void (await withJsonBody(req, reply, { maxBytes: MAX_RULE_BODY_BYTES, what: 'rule' }, (body) => commit(planCreate(body, viewer, context(o)), o, reply))), true;
    return reply(405, { error: 'method not allowed' }, { allow: 'GET, HEAD, POST' }), true;
  }
  if (action) {
    if (method !== 'POST') return reply(405, { error: 'method not allowed' }, { allow: 'POST' }), true;
    await commit(planStatus(action[1]!, action[2] === 'pause' ? 'paused' : 'active', viewer, context(o)), o, reply);
    return true;
  }
  const id = one![1]!;
  if (method === 'GET' || method === 'HEAD') {
    const r = o.service.directory.get(id, viewer);
    if (!r) return reply(404, { error: 'no such rule' }), true;
    const fired = await o.service.lastFired([id]);
    return reply(200, toView(r, fired.get(id) ?? null)), true;
  }
  if (method === 'PATCH') return void (await withJsonBody(req, reply, { maxBytes: MAX_RULE_BODY_BYTES, what: 'rule' }, (body) => commit(planPatch(id, body, viewer, context(o)), o, reply))), true;
  if (method === 'DELETE') {
    const plan = planDelete(id, viewer, context(o));
    if (!plan.ok) return reply(plan.status, { error: plan.error }), true;
    await write(plan.record, o, reply, () => reply(200, { id, status: 'deleted' }));
    return true;
  }
  return reply(405, { error: 'method not allowed' }, { allow: 'GET, HEAD, PATCH, DELETE' }), true;
}

function context(o: RulesRoutesOptions): RulesContext {
  return {
    directory: o.service.directory,
    catalog: o.catalog,
    sinks: o.sinks,
    maxPerOwner: o.maxPerOwner,
    effectiveFrom: o.effectiveFrom(),
    now: new Date(),
    newId: () => `r_${randomBytes(12).toString('hex')}`,
  };
}

async function list(params: URLSearchParams, viewer: Viewer, o: RulesRoutesOptions, reply: Reply): Promise<void> {
  const owner = params.get('owner') ?? undefined;
  if (owner !== undefined && !viewer.admin) return reply(403, { error: 'only admins may list another owner\'s rules' });
  const rules = o.service.directory.list(viewer, owner);
  const fired = await o.service.lastFired(rules.map((r) => r.id));
  reply(200, { rules: rules.map((r) => toView(r, fired.get(r.id) ?? null)) });
}

async function commit(plan: RulePlan, o: RulesRoutesOptions, reply: Reply): Promise<void> {
  if (!plan.ok) return reply(plan.status, { error: plan.error, ...(plan.issues ? { issues: plan.issues } : {}) });
  const record = plan.record;
  await write(record, o, reply, () => reply(plan.status, toView(record, null), plan.status === 201 ? { location: `/api/v1/rules/${record.id}` } : {}));
}

async function write(record: Parameters<RulesService['write']>[0], o: RulesRoutesOptions, reply: Reply, done: () => void): Promise<void> {
  try {
    await o.service.write(record);
  } catch (error) {
    o.logger.warn({ rule: record.id, err: (error as Error).message }, 'rule change could not be written');
    return reply(503, { error: 'the rule change could not be written; nothing changed, try again' }, { 'retry-after': '2' });
  }
  o.logger.info({ rule: record.id, owner: record.owner, version: record.version, status: record.status }, 'rule changed');
  done();
}
