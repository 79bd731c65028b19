/**
 * The webhook sinks API (`/api/v1/webhooks[/name]`): what a change does, decided without I/O.
 * An owner manages their own sinks (which receive their rule alerts that name them); an admin
 * every sink, and may add shared ones (no owner: the built-in alerts). Sinks from WEBHOOKS_FILE
 * are listed for admins but changed only in the file. Secrets and headers are stored, never
 * shown: a view says whether a secret is set and which header names are sent; the URL is shown
 * by its origin only (a Slack URL's path is its credential).
 */
import { z } from 'zod';
import { SinkConfig, targetAllowed, type SinkConfigInput } from '@rotation/webhooks';
import type { Viewer } from './channels.js';

export const WEBHOOKS_PATH = '/api/v1/webhooks';
export const MAX_WEBHOOK_BODY_BYTES = 16 * 1024;
export const MAX_SINKS_PER_OWNER = 16;
export const MAX_API_SINKS = 256;
const MAX_HEADERS = 16;

/**
 * A sink as stored (Redis `<ns>:webhooks:sinks`, field = name): the config exactly as given
 * (secret included: it signs), re-validated with SinkConfig whenever it is loaded.
 *   {"v":1,"sink":{"name":"alice-ops","url":"https://…","secret":"…","owner":"alice"},"createdAt":"…","updatedAt":"…","version":2}
 */
export const StoredSink = z.strictObject({
  v: z.literal(1),
  sink: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.int().min(1),
});
export type StoredSink = z.infer<typeof StoredSink>;

/** What the API knows of a sink: its config, and where it comes from. */
export interface KnownSink {
  config: SinkConfig;
  source: 'api' | 'file';
  stored?: StoredSink;
}

export interface WebhooksContext {
  sinks: ReadonlyMap<string, KnownSink>;
  /** WEBHOOKS_ALLOW_PRIVATE_TARGETS: literal private addresses are refused at once without it. */
  allowPrivateTargets: boolean;
  now: Date;
}

export type SinkPlan =
  | { ok: true; status: 200 | 201; name: string; stored: StoredSink; config: SinkConfig }
  | { ok: false; status: 400 | 403 | 404 | 409; error: string; issues?: Array<{ path: string; message: string }> };

export function sinkVisible(sink: Pick<SinkConfig, 'owner'>, viewer: Viewer): boolean {
  return viewer.admin || (sink.owner !== undefined && sink.owner === viewer.owner);
}

/** A sink as the API shows it: nothing that could be a credential. */
export function sinkView(known: KnownSink) {
  const c = known.config;
  return {
    name: c.name,
    owner: c.owner ?? null,
    source: known.source,
    target: new URL(c.url).origin,
    format: c.format,
    kinds: c.kinds ?? null,
    minSeverity: c.minSeverity,
    timeoutMs: c.timeoutMs,
    maxAttempts: c.maxAttempts,
    backoff: c.backoff,
    queueSize: c.queueSize,
    secret: c.secret !== undefined,
    headers: Object.keys(c.headers ?? {}),
    createdAt: known.stored?.createdAt ?? null,
    updatedAt: known.stored?.updatedAt ?? null,
    version: known.stored?.version ?? null,
  };
}
export type SinkView = ReturnType<typeof sinkView>;

/** POST: a new sink; the caller's own unless an admin says otherwise. */
export function planCreate(body: unknown, viewer: Viewer, ctx: WebhooksContext): SinkPlan {
  if (!isObject(body)) return bad('the body is a JSON object: a sink (docs/webhooks.md)');
  const name = typeof body.name === 'string' ? body.name : '';
  const existing = ctx.sinks.get(name);
  if (existing) return { ok: false, status: 409, error: existing.source === 'file' ? `sink "${name}" is configured in WEBHOOKS_FILE` : `a sink named "${name}" exists (sink names are shared by every owner)` };
  const built = build(body, viewer, ctx);
  if (!built.ok) return built;
  const owned = [...ctx.sinks.values()].filter((s) => s.source === 'api');
  if (owned.length >= MAX_API_SINKS) return { ok: false, status: 409, error: `at most ${MAX_API_SINKS} sinks can be added through the API` };
  if (built.config.owner !== undefined && owned.filter((s) => s.config.owner === built.config.owner).length >= MAX_SINKS_PER_OWNER) {
    return { ok: false, status: 409, error: `at most ${MAX_SINKS_PER_OWNER} sinks per owner` };
  }
  const at = ctx.now.toISOString();
  return { ok: true, status: 201, name: built.config.name, config: built.config, stored: { v: 1, sink: built.input, createdAt: at, updatedAt: at, version: 1 } };
}

/** PUT: replaces the whole config of a sink the caller may manage (the name stays). */
export function planReplace(name: string, body: unknown, viewer: Viewer, ctx: WebhooksContext): SinkPlan {
  const found = manageable(name, viewer, ctx);
  if (!found.ok) return found;
  if (!isObject(body)) return bad('the body is a JSON object: a sink (docs/webhooks.md)');
  if (body.name !== undefined && body.name !== name) return bad('a sink keeps its name: delete it and add another');
  // The owner stays unless the body names one (an admin's `"owner": null` makes the sink shared).
  const { owner: given, ...rest } = body;
  const owner = given === undefined ? found.sink.config.owner : given === null && viewer.admin ? undefined : given;
  const built = build({ ...rest, name, ...(owner !== undefined ? { owner } : {}) }, viewer, ctx);
  if (!built.ok) return built;
  const prev = found.sink.stored!;
  return { ok: true, status: 200, name, config: built.config, stored: { v: 1, sink: built.input, createdAt: prev.createdAt, updatedAt: ctx.now.toISOString(), version: prev.version + 1 } };
}

/** DELETE and GET of one sink: it exists, the caller sees it, and (to change it) it came through the API. */
export function manageable(name: string, viewer: Viewer, ctx: WebhooksContext): { ok: true; sink: KnownSink } | { ok: false; status: 403 | 404; error: string } {
  const sink = ctx.sinks.get(name);
  if (!sink || !sinkVisible(sink.config, viewer)) return { ok: false, status: 404, error: 'no such sink' };
  if (sink.source === 'file') return { ok: false, status: 403, error: `sink "${name}" is configured in WEBHOOKS_FILE: change it there` };
  return { ok: true, sink };
}

function build(body: Record<string, unknown>, viewer: Viewer, ctx: WebhooksContext): { ok: true; config: SinkConfig; input: SinkConfigInput & Record<string, unknown> } | Extract<SinkPlan, { ok: false }> {
  if (!viewer.admin && body.owner !== undefined && body.owner !== viewer.owner) return { ok: false, status: 403, error: 'only admins may add sinks for another owner or shared sinks' };
  const input = { ...body, ...(viewer.admin ? {} : { owner: viewer.owner }) } as SinkConfigInput & Record<string, unknown>;
  if (isObject(input.headers) && Object.keys(input.headers).length > MAX_HEADERS) return bad(`at most ${MAX_HEADERS} headers`);
  const parsed = SinkConfig.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
    return { ok: false, status: 400, error: 'invalid sink', issues };
  }
  const host = new URL(parsed.data.url).hostname.replace(/^\[|\]$/g, '');
  // A literal address is judged now; a name is judged at every delivery, once resolved.
  if (/^[\d.]+$|:/.test(host) && !targetAllowed(host, ctx.allowPrivateTargets)) {
    return bad('the URL\'s address is loopback, private or link-local (allowed only with WEBHOOKS_ALLOW_PRIVATE_TARGETS=true)');
  }
  return { ok: true, config: parsed.data, input };
}

function bad(error: string): Extract<SinkPlan, { ok: false }> {
  return { ok: false, status: 400, error };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
