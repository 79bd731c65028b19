import { z } from 'zod';
import { Severity, Symbol, WindowLabel } from './primitives.js';
import { Quadrant } from './snapshot.js';

/**
 * Alert rules of one's own: what a user asks to be told about, evaluated by the detector at
 * event-time steps like the built-in alerts and delivered to that user only (docs/rules.md).
 */

/** A symbol or a basket id of the universe ("IWM", "AI"). */
const Instrument = z.string().min(1).max(32).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a symbol or basket id: letters, digits, "." "_" or "-"');

export const PairMeasure = z.enum(['spreadPp', 'zScore', 'ratio']);
export const ReturnMeasure = z.enum(['returnPct', 'relativePct']);
export const SectorMeasure = z.enum(['returnPct', 'relativePct', 'rank']);
export const BreadthMeasure = z.enum(['sectorsBeatingBenchmarkPct', 'sectorsLeadingOrImprovingPct', 'advancingPct']);

/**
 * What a rule watches. `pair` takes any two symbols or baskets ("AI/RSP"); its z-score and
 * ratio line exist only for the universe's configured pairs. `relativePct` is the return
 * minus the benchmark's over the same window.
 */
export const RuleSubject = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('pair'),
    pair: z.string().max(65).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a pair is "SMALL/LARGE", e.g. "IWM/SPY"'),
    measure: PairMeasure.default('spreadPp'),
  }),
  z.strictObject({ type: z.literal('symbol'), symbol: Instrument, measure: ReturnMeasure.default('returnPct') }),
  z.strictObject({ type: z.literal('basket'), basket: Instrument, measure: ReturnMeasure.default('returnPct') }),
  z.strictObject({ type: z.literal('sector'), symbol: Symbol, measure: SectorMeasure.default('relativePct') }),
  z.strictObject({ type: z.literal('breadth'), measure: BreadthMeasure.default('sectorsBeatingBenchmarkPct') }),
]);
export type RuleSubject = z.infer<typeof RuleSubject>;

const Finite = z.number().min(-1e6).max(1e6);

/**
 * When the rule fires: on the transition into the condition, never merely because it holds
 * (a rule created while the value is already above its line stays quiet until it has been
 * below and crosses again).
 */
export const RuleCondition = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('crosses_above'), value: Finite }),
  z.strictObject({ type: z.literal('crosses_below'), value: Finite }),
  z.strictObject({ type: z.literal('enters_band'), low: Finite, high: Finite }),
  z.strictObject({ type: z.literal('leaves_band'), low: Finite, high: Finite }),
  /** |z| of a configured pair's spread reaches k. */
  z.strictObject({ type: z.literal('z_beyond'), k: z.number().positive().max(100) }),
  /** A sector's RRG quadrant changes (to `to`, or to any other quadrant). */
  z.strictObject({ type: z.literal('changes_quadrant'), to: Quadrant.optional() }),
  z.strictObject({ type: z.literal('becomes_leader') }),
  z.strictObject({ type: z.literal('becomes_laggard') }),
]);
export type RuleCondition = z.infer<typeof RuleCondition>;

/**
 * Market time: `0`, `Nm` / `Nh` of trading time (regular sessions only: a night or a weekend
 * adds nothing), or `Nbar(s)`, session bars (closes). At most 100,000 units.
 */
export const RuleDuration = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,4}(m|h|bar|bars))$/, 'a duration is 0, Nm or Nh (trading time) or Nbars (session closes), e.g. "30m", "2h", "3bars"');
export type RuleDuration = z.infer<typeof RuleDuration>;

/** A duration on one of the two market clocks. */
export function parseRuleDuration(d: string, stepMs: number): { clock: 'steps' | 'bars'; n: number } {
  const m = /^([0-9]+)(m|h|bar|bars)?$/.exec(d);
  if (!m || m[1] === '0') return { clock: 'steps', n: 0 };
  const n = Number(m[1]);
  if (m[2] === 'bar' || m[2] === 'bars') return { clock: 'bars', n };
  const minutes = m[2] === 'h' ? n * 60 : n;
  return { clock: 'steps', n: Math.ceil((minutes * 60_000) / stepMs) };
}

/** A webhook sink name (the sinks file's `name`); the sink must carry the rule owner's `owner`. */
const SinkName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a sink name: 1-64 letters, digits, "_", "." or "-"');

export const RuleDelivery = z.strictObject({
  /** On the owner's `alerts:mine` websocket channel. */
  websocket: z.boolean().default(true),
  /** One of the owner's webhook sinks. */
  webhook: SinkName.optional(),
});

export const TEMPLATE_VARIABLES = {
  common: ['name', 'subject', 'window', 'value', 'condition', 'eventTime', 'severity'],
  pair: ['pair', 'small', 'large', 'spreadPp', 'zScore', 'ratio'],
  symbol: ['symbol', 'returnPct', 'relativePct'],
  basket: ['basket', 'returnPct', 'relativePct'],
  sector: ['symbol', 'sectorName', 'returnPct', 'relativePct', 'rank', 'quadrant', 'previousQuadrant'],
  breadth: ['sectorsBeatingBenchmarkPct', 'sectorsLeadingOrImprovingPct', 'advancingPct'],
} as const;

/** The variables a message template may use for a subject type. */
export function templateVariables(type: RuleSubject['type']): readonly string[] {
  return [...TEMPLATE_VARIABLES.common, ...TEMPLATE_VARIABLES[type]];
}

const TEMPLATE_VAR = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The `{{name}}` variables a template uses, in order of appearance. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(TEMPLATE_VAR)].map((m) => m[1]!);
}

/** Replaces `{{name}}` with `values[name]`; a variable without a value reads "n/a". */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(TEMPLATE_VAR, (_m, name: string) => values[name] ?? 'n/a');
}

const NUMERIC_CONDITIONS = new Set(['crosses_above', 'crosses_below', 'enters_band', 'leaves_band']);

/** Cross-field checks, one issue per problem, each at the path of the field to fix. */
function checkRule(r: RuleSpecBase, ctx: z.RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const c = r.condition;
  const s = r.subject;
  if ((c.type === 'enters_band' || c.type === 'leaves_band') && !(c.low < c.high)) issue(['condition', 'high'], 'high must be above low');
  if (c.type === 'z_beyond' && !(s.type === 'pair')) issue(['condition', 'type'], 'z_beyond needs a pair subject (the z-score of its spread)');
  if ((c.type === 'changes_quadrant' || c.type === 'becomes_leader' || c.type === 'becomes_laggard') && s.type !== 'sector') {
    issue(['condition', 'type'], `${c.type} needs a sector subject`);
  }
  if (NUMERIC_CONDITIONS.has(c.type) && s.type === 'pair' && s.measure === 'zScore' && r.window === undefined) issue(['window'], 'a z-score rule needs a window');
  const needsWindow = c.type !== 'changes_quadrant' && s.type !== 'breadth';
  if (needsWindow && r.window === undefined) issue(['window'], 'this rule needs a window, e.g. "1d" or "7d"');
  if (!needsWindow && r.window !== undefined) issue(['window'], s.type === 'breadth' ? 'breadth measures have their configured window; leave window out' : 'quadrants are per bar; leave window out');
  if (r.message !== undefined) {
    const known = templateVariables(s.type);
    for (const name of templateNames(r.message)) {
      if (!known.includes(name)) issue(['message'], `unknown template variable {{${name}}}; ${s.type} rules know ${known.map((k) => `{{${k}}}`).join(', ')}`);
    }
  }
  if (!r.deliver.websocket && r.deliver.webhook === undefined) issue(['deliver'], 'deliver somewhere: websocket true, a webhook sink, or both');
}

const RuleSpecFields = {
  name: z.string().trim().min(1, 'name is required').max(80, 'at most 80 characters'),
  subject: RuleSubject,
  /** A configured window label; none for breadth measures and quadrants. */
  window: WindowLabel.optional(),
  condition: RuleCondition,
  /**
   * In the measure's unit (pp, %, z, rank): how far back across the line the value must go
   * before the rule can fire again. For becomes_leader / becomes_laggard, the margin over the
   * runner-up the sector needs to count as leader (laggard).
   */
  hysteresis: z.number().min(0).max(1e6).default(0),
  /** How long the condition must hold (in market time) before the rule fires. */
  dwell: RuleDuration.default('0'),
  /** Market time after a firing during which the rule does not fire again. */
  cooldown: RuleDuration.default('0'),
  /** `step`: every in-session step; `close`: session closes only (daily traders). */
  evaluate: z.enum(['step', 'close']).default('step'),
  severity: Severity.default('info'),
  /** The alert's message, with {{variables}}; a default that says what happened otherwise. */
  message: z.string().min(1).max(280, 'at most 280 characters').optional(),
  deliver: RuleDelivery.default({ websocket: true }),
};

const RuleSpecObject = z.strictObject(RuleSpecFields);
type RuleSpecBase = z.infer<typeof RuleSpecObject>;

/**
 * A rule as `POST /api/v1/rules` accepts it (and `PATCH` after merging).
 *   {"name":"Small caps up 1 pp today","subject":{"type":"pair","pair":"IWM/SPY"},"window":"1d",
 *    "condition":{"type":"crosses_above","value":1},"hysteresis":0.25,"dwell":"15m",
 *    "cooldown":"1bar","message":"{{pair}} {{spreadPp}} over {{window}}"}
 */
export const RuleSpec = RuleSpecObject.superRefine(checkRule);
export type RuleSpec = z.infer<typeof RuleSpec>;
/** The request body of `POST /api/v1/rules` before defaults are applied. */
export type RuleSpecInput = z.input<typeof RuleSpec>;

/** `PATCH /api/v1/rules/:id`: any fields of the rule; the merged rule is validated whole. */
export const RulePatch = z.strictObject({
  name: RuleSpecFields.name.optional(),
  subject: RuleSubject.optional(),
  window: WindowLabel.optional(),
  condition: RuleCondition.optional(),
  hysteresis: RuleSpecFields.hysteresis.unwrap().optional(),
  dwell: RuleDuration.optional(),
  cooldown: RuleDuration.optional(),
  evaluate: RuleSpecFields.evaluate.unwrap().optional(),
  severity: Severity.optional(),
  message: RuleSpecFields.message,
  deliver: RuleDelivery.optional(),
});
export type RulePatch = z.infer<typeof RulePatch>;

export const RuleStatus = z.enum(['active', 'paused', 'deleted']);
export type RuleStatus = z.infer<typeof RuleStatus>;

/** Owner ids: a JWT `sub` or an API token's name. */
export const OwnerId = z.string().regex(/^[A-Za-z0-9._@|:+-]{1,128}$/);

export const RuleId = z.string().regex(/^r_[0-9a-f]{24}$/);

/**
 * A record on the compacted topic `<ns>.rules` (key = rule id): every change to a rule is one
 * record, so rules are part of the log a replay reads. `effectiveFrom` is the event time (ms)
 * the change applies after: the newest step the gateway knew to be evaluated, so a new rule
 * applies from then on. A deleted rule keeps a record (without its definition) so a replay
 * knows it ended.
 *   {"v":1,"id":"r_…","owner":"alice","version":2,"status":"paused","effectiveFrom":1709928000000,
 *    "createdAt":"…","updatedAt":"…","rule":{…}}
 */
export const RuleRecord = z.strictObject({
  v: z.literal(1),
  id: RuleId,
  owner: OwnerId,
  version: z.int().min(1),
  status: RuleStatus,
  effectiveFrom: z.int().min(0).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  rule: RuleSpec.optional(),
});
export type RuleRecord = z.infer<typeof RuleRecord>;

/** What the rules API answers for one rule: the record and when it last fired. */
export const RuleView = z.strictObject({
  id: RuleId,
  owner: OwnerId,
  version: z.int().min(1),
  status: RuleStatus,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  rule: RuleSpec,
  lastFired: z.strictObject({ eventTime: z.iso.datetime(), alertId: z.string(), message: z.string() }).nullable(),
});
export type RuleView = z.infer<typeof RuleView>;

/** What a rule may refer to: the universe, reduced to names. */
export interface RuleCatalog {
  symbols: readonly string[];
  baskets: readonly string[];
  /** Configured pairs "SMALL/LARGE": the ones with a z-score and a ratio line. */
  pairs: readonly string[];
  sectors: readonly string[];
  windows: ReadonlyArray<{ label: string; kind: 'intraday' | 'sessions' | 'calendar' }>;
}

/**
 * Problems of a schema-valid rule against the universe, each with the path to fix; empty
 * when the rule can be evaluated. The gateway refuses such a rule; the detector keeps one
 * that reaches it anyway (a universe changed since) inert.
 */
export function ruleProblems(rule: RuleSpec, catalog: RuleCatalog): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const instruments = new Set([...catalog.symbols, ...catalog.baskets]);
  const s = rule.subject;
  if (rule.window !== undefined && !catalog.windows.some((w) => w.label === rule.window)) {
    out.push({ path: 'window', message: `${rule.window} is not a configured window (${catalog.windows.map((w) => w.label).join(', ')})` });
  }
  if (s.type === 'pair') {
    const [a, b] = s.pair.split('/') as [string, string];
    for (const [side, id] of [['small', a], ['large', b]] as const) if (!instruments.has(id)) out.push({ path: 'subject.pair', message: `${side} side ${id} is not a symbol or basket of the universe` });
    const configured = catalog.pairs.includes(s.pair);
    const needsConfigured = s.measure !== 'spreadPp' || rule.condition.type === 'z_beyond';
    if (needsConfigured && !configured) out.push({ path: 'subject.pair', message: `z-scores and ratio lines exist only for configured pairs (${catalog.pairs.join(', ')})` });
    const w = catalog.windows.find((x) => x.label === rule.window);
    if ((s.measure === 'zScore' || rule.condition.type === 'z_beyond') && w?.kind === 'intraday') out.push({ path: 'window', message: 'z-scores exist for windows of a session or more' });
  } else if (s.type === 'symbol') {
    if (!catalog.symbols.includes(s.symbol)) out.push({ path: 'subject.symbol', message: `${s.symbol} is not a symbol of the universe` });
  } else if (s.type === 'basket') {
    if (!catalog.baskets.includes(s.basket)) out.push({ path: 'subject.basket', message: `${s.basket} is not a basket of the universe (${catalog.baskets.join(', ') || 'none'})` });
  } else if (s.type === 'sector') {
    if (!catalog.sectors.includes(s.symbol)) out.push({ path: 'subject.symbol', message: `${s.symbol} is not a sector of the universe (${catalog.sectors.join(', ')})` });
  }
  return out;
}

/** The kind of a window label (docs/analytics.md, "Windows"). */
export function windowKind(label: string): 'intraday' | 'sessions' | 'calendar' {
  if (/^[0-9]+(s|m|h)$/.test(label)) return 'intraday';
  return label === '1d' || label.endsWith('sess') ? 'sessions' : 'calendar';
}

/** The catalog of a universe (the shape `packages/config` parses). */
export function ruleCatalog(u: {
  symbols: readonly string[];
  baskets: ReadonlyArray<{ id: string }>;
  pairs: ReadonlyArray<{ small: string; large: string }>;
  sectors: ReadonlyArray<{ symbol: string }>;
  windows: readonly string[];
}): RuleCatalog {
  return {
    symbols: u.symbols,
    baskets: u.baskets.map((b) => b.id),
    pairs: u.pairs.map((p) => `${p.small}/${p.large}`),
    sectors: u.sectors.map((s) => s.symbol),
    windows: u.windows.map((label) => ({ label, kind: windowKind(label) })),
  };
}
