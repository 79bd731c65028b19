import { RulePatch, RuleSpec, ruleProblems, type RuleCatalog, type RuleRecord, type RuleStatus, type RuleView } from '@rotation/schemas';
import type { Viewer } from './channels.js';
import type { RuleDirectory } from './rule-directory.js';

/** One field problem, at the path of the field to fix. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** What a rules request leads to: a record to write, or an answer without one. */
export type RulePlan = { ok: true; record: RuleRecord; status: 200 | 201 } | { ok: false; status: 400 | 404 | 409 | 413; error: string; issues?: FieldIssue[] };

export interface RulesContext {
  directory: RuleDirectory;
  catalog: RuleCatalog;
  /** Webhook sinks by name, with the owner each belongs to (undefined: a shared sink). */
  sinks: ReadonlyMap<string, string | undefined>;
  maxPerOwner: number;
  /** The event time (ms) of the newest evaluated step this gateway knows of: a change applies after it. */
  effectiveFrom: number | null;
  now: Date;
  newId: () => string;
}

const notFound = { ok: false as const, status: 404 as const, error: 'no such rule' };

function issuesOf(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** Schema, universe and delivery checks of a whole rule; the rule with its defaults applied. */
function validate(body: unknown, viewer: Viewer, owner: string, ctx: RulesContext): { ok: true; rule: RuleSpec } | { ok: false; status: 400; error: string; issues: FieldIssue[] } {
  const parsed = RuleSpec.safeParse(body);
  if (!parsed.success) return { ok: false, status: 400, error: 'invalid rule', issues: issuesOf(parsed.error) };
  const rule = parsed.data;
  const issues = ruleProblems(rule, ctx.catalog);
  const sink = rule.deliver.webhook;
  if (sink !== undefined) {
    // The same answer for a missing sink and another owner's, so sink names cannot be probed.
    if (!ctx.sinks.has(sink) || ctx.sinks.get(sink) !== owner) issues.push({ path: 'deliver.webhook', message: `no webhook sink "${sink}" belongs to ${viewer.admin && owner !== viewer.owner ? owner : 'you'}` });
  }
  return issues.length > 0 ? { ok: false, status: 400, error: 'invalid rule', issues } : { ok: true, rule };
}

export function planCreate(body: unknown, viewer: Viewer, ctx: RulesContext): RulePlan {
  const v = validate(body, viewer, viewer.owner, ctx);
  if (!v.ok) return v;
  if (ctx.directory.countOf(viewer.owner) >= ctx.maxPerOwner) {
    return { ok: false, status: 409, error: `you already hold ${ctx.maxPerOwner} rules, the most one owner may; delete one first` };
  }
  const at = ctx.now.toISOString();
  return {
    ok: true,
    status: 201,
    record: { v: 1, id: ctx.newId(), owner: viewer.owner, version: 1, status: 'active', effectiveFrom: ctx.effectiveFrom, createdAt: at, updatedAt: at, rule: v.rule },
  };
}

/** A new version of an existing record: same id and owner, the next version, applied after now. */
function next(cur: RuleRecord, ctx: RulesContext, change: Pick<RuleRecord, 'status'> & { rule?: RuleSpec | undefined }): RuleRecord {
  const { rule, ...rest } = { ...cur, ...change };
  return { ...rest, ...(rule !== undefined ? { rule } : {}), version: cur.version + 1, effectiveFrom: ctx.effectiveFrom, updatedAt: ctx.now.toISOString() };
}

export function planPatch(id: string, body: unknown, viewer: Viewer, ctx: RulesContext): RulePlan {
  const cur = ctx.directory.get(id, viewer);
  if (!cur?.rule) return notFound;
  const patch = RulePatch.safeParse(body);
  if (!patch.success) return { ok: false, status: 400, error: 'invalid rule change', issues: issuesOf(patch.error) };
  const v = validate({ ...cur.rule, ...patch.data }, viewer, cur.owner, ctx);
  if (!v.ok) return v;
  return { ok: true, status: 200, record: next(cur, ctx, { status: cur.status, rule: v.rule }) };
}

export function planStatus(id: string, status: Exclude<RuleStatus, 'deleted'>, viewer: Viewer, ctx: RulesContext): RulePlan {
  const cur = ctx.directory.get(id, viewer);
  if (!cur?.rule) return notFound;
  return { ok: true, status: 200, record: next(cur, ctx, { status, rule: cur.rule }) };
}

/** A deleted rule keeps a record without its definition, so the detector (and a replay) knows it ended. */
export function planDelete(id: string, viewer: Viewer, ctx: RulesContext): RulePlan {
  const cur = ctx.directory.get(id, viewer);
  if (!cur) return notFound;
  const { rule: _dropped, ...rest } = cur;
  return { ok: true, status: 200, record: { ...rest, status: 'deleted', version: cur.version + 1, effectiveFrom: ctx.effectiveFrom, updatedAt: ctx.now.toISOString() } };
}

export function toView(r: RuleRecord, lastFired: RuleView['lastFired']): RuleView {
  return { id: r.id, owner: r.owner, version: r.version, status: r.status, createdAt: r.createdAt, updatedAt: r.updatedAt, rule: r.rule!, lastFired };
}
