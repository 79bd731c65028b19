import type { IncomingMessage } from 'node:http';
import type { Logger } from '@rotation/log';
import type { Viewer } from '../core/channels.js';
import type { OwnerRateLimit } from '../core/owner-rate.js';
import { manageable, MAX_WEBHOOK_BODY_BYTES, planCreate, planReplace, sinkView, sinkVisible, WEBHOOKS_PATH, type SinkPlan, type WebhooksContext } from '../core/webhooks-api.js';
import type { WebhookHost } from './webhook-host.js';
import type { WriteResult } from './webhook-sinks.js';
import { withJsonBody, type Reply } from './json-body.js';

export interface WebhookRoutesOptions {
  host: WebhookHost;
  allowPrivateTargets: boolean;
  logger: Logger;
  /** Per-owner limit on changes. */
  writes: OwnerRateLimit;
}


const ONE = new RegExp(`^${WEBHOOKS_PATH}/([A-Za-z0-9][A-Za-z0-9_.-]{0,62})$`);

export function isWebhooksPath(path: string): boolean {
  return path === WEBHOOKS_PATH || path.startsWith(`${WEBHOOKS_PATH}/`);
}

/**
 * `/api/v1/webhooks` (GET list, POST add) and `/api/v1/webhooks/{name}` (GET, PUT, DELETE).
 * Changes are written to Redis before the answer and applied to this gateway's relay; the
 * others pick them up within a second. Returns false for a path it does not serve.
 */
export async function handleWebhooks(req: IncomingMessage, path: string, viewer: Viewer, o: WebhookRoutesOptions, reply: Reply): Promise<boolean> {
  const one = ONE.exec(path);
  if (path !== WEBHOOKS_PATH && !one) return false;
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';
  if (!reading && !o.writes.take(viewer.owner, Date.now())) return reply(429, { error: 'too many sink changes; slow down' }, { 'retry-after': '1' }), true;
  if (!one) {
    if (reading) return list(viewer, o, reply), true;
    if (method === 'POST') return void (await withJsonBody(req, reply, { maxBytes: MAX_WEBHOOK_BODY_BYTES, what: 'sink' }, (body) => commit(planCreate(body, viewer, context(o)), 'create', o, reply))), true;
    return reply(405, { error: 'method not allowed' }, { allow: 'GET, HEAD, POST' }), true;
  }
  const name = one[1]!;
  if (reading) {
    const sink = o.host.sinks.all.get(name);
    if (!sink || !sinkVisible(sink.config, viewer)) return reply(404, { error: 'no such sink' }), true;
    return reply(200, sinkView(sink)), true;
  }
  if (method === 'PUT') return void (await withJsonBody(req, reply, { maxBytes: MAX_WEBHOOK_BODY_BYTES, what: 'sink' }, (body) => commit(planReplace(name, body, viewer, context(o)), 'replace', o, reply))), true;
  if (method === 'DELETE') {
    const found = manageable(name, viewer, context(o));
    if (!found.ok) return reply(found.status, { error: found.error }), true;
    await write(name, () => o.host.sinks.remove(name), o, reply, () => reply(200, { name, status: 'deleted' }));
    return true;
  }
  return reply(405, { error: 'method not allowed' }, { allow: 'GET, HEAD, PUT, DELETE' }), true;
}

function context(o: WebhookRoutesOptions): WebhooksContext {
  return { sinks: o.host.sinks.all, allowPrivateTargets: o.allowPrivateTargets, now: new Date() };
}

function list(viewer: Viewer, o: WebhookRoutesOptions, reply: Reply): void {
  const sinks = [...o.host.sinks.all.values()].filter((s) => sinkVisible(s.config, viewer)).map(sinkView);
  reply(200, { sinks, relay: { running: o.host.relayRunning() } });
}

async function commit(plan: SinkPlan, how: 'create' | 'replace', o: WebhookRoutesOptions, reply: Reply): Promise<void> {
  if (!plan.ok) return reply(plan.status, { error: plan.error, ...(plan.issues ? { issues: plan.issues } : {}) });
  const run = () => (how === 'create' ? o.host.sinks.create(plan.stored, plan.name) : o.host.sinks.replace(plan.stored, plan.name));
  await write(plan.name, run, o, reply, () => {
    const view = sinkView({ config: plan.config, source: 'api', stored: plan.stored });
    reply(plan.status, view, plan.status === 201 ? { location: `${WEBHOOKS_PATH}/${plan.name}` } : {});
  });
}

async function write(name: string, run: () => Promise<WriteResult>, o: WebhookRoutesOptions, reply: Reply, done: () => void): Promise<void> {
  let result: WriteResult;
  try {
    result = await run();
  } catch (error) {
    o.logger.warn({ sink: name, err: (error as Error).message }, 'webhook sink change could not be written');
    return reply(503, { error: 'the change could not be written; nothing changed, try again' }, { 'retry-after': '2' });
  }
  if (result === 'exists') return reply(409, { error: `a sink named "${name}" exists` });
  if (result === 'conflict') return reply(409, { error: 'the sink was changed meanwhile; read it again and retry' });
  if (result === 'missing') return reply(404, { error: 'no such sink' });
  // The name only: the config holds the secret.
  o.logger.info({ sink: name }, 'webhook sink changed through the API');
  done();
}
