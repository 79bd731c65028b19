import { parseRuleDuration, ruleCatalog, ruleProblems, type RuleCatalog, type RuleCondition, type RuleSpec } from '@rotation/schemas';
import { pct, pp } from '../alerts.js';
import type { Evaluation } from '../evaluation.js';
import type { CompiledSettings } from '../settings.js';
import type { CoreState } from '../state.js';
import { round } from '../stats.js';
import type { MachineSpec } from './machine.js';

/** What a rule reads at a step: the step's evaluation and the state after it (RRG, breadth). */
export interface RuleInputs {
  settings: CompiledSettings;
  state: CoreState;
  evaluation: Evaluation;
}

export type RuleValue = number | string;

/** A rule made ready to evaluate: how to measure, how to classify, what to say. */
export interface CompiledRule {
  measure(x: RuleInputs): RuleValue | null;
  /** Rules with the same key measure the same value: a step measures each key once. */
  measureKey: string;
  /** Values at which the category can change (RuleIndex); null when the value is a category. */
  breakpoints: number[] | null;
  spec: MachineSpec<RuleValue>;
  /** "IWM/SPY", "XLK", "AI", "breadth". */
  subject: string;
  /** Template variables for the alert of a firing. */
  vars(x: RuleInputs, value: RuleValue, from: string): Record<string, string>;
  /** The default message when the rule has none. */
  defaultMessage: string;
}

/** Values as the snapshot shows them (6 decimals), so a rule and its brute-force check agree. */
const r6 = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : round(v, 6));

const ON = 'on';
const OFF = 'off';

/** Hysteresis classification of a numeric value for the boolean conditions. */
function classifier(c: RuleCondition, h: number): (v: RuleValue, cur: string | null) => string {
  const keep = (cur: string | null) => cur ?? OFF;
  switch (c.type) {
    case 'crosses_above':
      return (v, cur) => ((v as number) > c.value ? ON : (v as number) <= c.value - h ? OFF : keep(cur));
    case 'crosses_below':
      return (v, cur) => ((v as number) < c.value ? ON : (v as number) >= c.value + h ? OFF : keep(cur));
    case 'enters_band':
      return (v, cur) => {
        const x = v as number;
        return x >= c.low && x <= c.high ? ON : x < c.low - h || x > c.high + h ? OFF : keep(cur);
      };
    case 'leaves_band':
      return (v, cur) => {
        const x = v as number;
        return x < c.low - h || x > c.high + h ? ON : x >= c.low && x <= c.high ? OFF : keep(cur);
      };
    case 'z_beyond':
      return (v, cur) => (Math.abs(v as number) >= c.k ? ON : Math.abs(v as number) < c.k - h ? OFF : keep(cur));
    case 'becomes_leader':
    case 'becomes_laggard':
      // The value is the margin over the runner-up (positive only while in the role).
      return (v, cur) => ((v as number) > h ? ON : (v as number) <= 0 ? OFF : keep(cur));
    case 'changes_quadrant':
      return c.to === undefined ? (v) => v as string : (v) => (v === c.to ? ON : OFF);
  }
}

function returnOf(x: RuleInputs, id: string, wi: number): number | null {
  return x.evaluation.returns.get(id)?.[wi] ?? null;
}

function relative(x: RuleInputs, id: string, wi: number): number | null {
  const a = returnOf(x, id, wi);
  const b = returnOf(x, x.settings.benchmark, wi);
  return a === null || b === null ? null : a - b;
}

/** Margin of `symbol` over the runner-up at the top (leader) or bottom (laggard) of the ranking; negative when not there. */
function roleMargin(x: RuleInputs, symbol: string, wi: number, role: 'leader' | 'laggard'): number | null {
  const ranking = x.evaluation.sectors[wi]?.ranking ?? [];
  if (ranking.length < 2 || !ranking.some((r) => r.symbol === symbol)) return null;
  const ordered = role === 'leader' ? ranking : [...ranking].reverse();
  const [first, second] = [ordered[0]!, ordered[1]!];
  const sign = role === 'leader' ? 1 : -1;
  return first.symbol === symbol ? sign * (first.returnPct - second.returnPct) : -1;
}

function leadingOrImprovingPct(x: RuleInputs): number | null {
  const placed = x.settings.sectors.map((s) => x.state.rrg[s.symbol]?.quadrant ?? null).filter((q) => q !== null);
  if (placed.length === 0) return null;
  return (100 * placed.filter((q) => q === 'leading' || q === 'improving').length) / placed.length;
}

type Measure = (x: RuleInputs) => RuleValue | null;

/** The measured value, read the way the snapshot reports it. */
function measureOf(rule: RuleSpec, s: CompiledSettings): Measure {
  const wi = s.windows.findIndex((w) => w.label === rule.window);
  const sub = rule.subject;
  const c = rule.condition;
  if (sub.type === 'pair') {
    const [a, b] = sub.pair.split('/') as [string, string];
    const pi = s.pairs.findIndex((p) => p.label === sub.pair);
    const field = c.type === 'z_beyond' ? 'zScore' : sub.measure;
    if (pi >= 0) return (x) => x.evaluation.spreads[pi * s.windows.length + wi]?.[field] ?? null;
    return (x) => {
      const ra = returnOf(x, a, wi);
      const rb = returnOf(x, b, wi);
      return ra === null || rb === null ? null : r6(ra - rb);
    };
  }
  if (sub.type === 'breadth') {
    if (sub.measure === 'sectorsBeatingBenchmarkPct') return (x) => r6(x.evaluation.beatingPct);
    if (sub.measure === 'advancingPct') return (x) => r6(x.state.thrust.advancing);
    return (x) => r6(leadingOrImprovingPct(x));
  }
  const id = sub.type === 'basket' ? sub.basket : sub.symbol;
  if (c.type === 'changes_quadrant') return (x) => x.state.rrg[id]?.quadrant ?? null;
  if (c.type === 'becomes_leader' || c.type === 'becomes_laggard') {
    const role = c.type === 'becomes_leader' ? 'leader' : 'laggard';
    return (x) => r6(roleMargin(x, id, wi, role));
  }
  if (sub.measure === 'rank') return (x) => x.evaluation.sectors[wi]?.ranking.find((r) => r.symbol === id)?.rank ?? null;
  if (sub.measure === 'relativePct') return (x) => r6(relative(x, id, wi));
  return (x) => r6(returnOf(x, id, wi));
}

const fmt2 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(2));
const signedPct = (v: number | null): string => (v === null ? 'n/a' : pct(v));
const signedPp = (v: number | null): string => (v === null ? 'n/a' : pp(v));

/** How a measured value reads in a message: "+1.23 pp", "+0.85%", "2.31", "Lagging". */
function formatValue(rule: RuleSpec, v: RuleValue): string {
  if (typeof v === 'string') return v;
  const sub = rule.subject;
  const c = rule.condition;
  if (c.type === 'becomes_leader' || c.type === 'becomes_laggard') return signedPp(v);
  if (sub.type === 'pair') return sub.measure === 'spreadPp' && c.type !== 'z_beyond' ? signedPp(v) : fmt2(v);
  if (sub.type === 'breadth') return `${v.toFixed(1)}%`;
  if (sub.type === 'sector' && sub.measure === 'rank') return String(v);
  return sub.measure === 'relativePct' ? signedPp(v) : signedPct(v);
}

function describeCondition(c: RuleCondition): string {
  switch (c.type) {
    case 'crosses_above':
      return `crossed above ${c.value}`;
    case 'crosses_below':
      return `crossed below ${c.value}`;
    case 'enters_band':
      return `entered ${c.low}..${c.high}`;
    case 'leaves_band':
      return `left ${c.low}..${c.high}`;
    case 'z_beyond':
      return `|z| reached ${c.k}`;
    case 'changes_quadrant':
      return c.to === undefined ? 'changed quadrant' : `entered ${c.to}`;
    case 'becomes_leader':
      return 'became the leader';
    case 'becomes_laggard':
      return 'became the laggard';
  }
}

function subjectLabel(rule: RuleSpec): string {
  const s = rule.subject;
  return s.type === 'pair' ? s.pair : s.type === 'basket' ? s.basket : s.type === 'breadth' ? 'breadth' : s.symbol;
}

/** Every template variable of the rule's subject type at a firing. */
function variables(rule: RuleSpec, s: CompiledSettings, x: RuleInputs, value: RuleValue, from: string): Record<string, string> {
  const wi = s.windows.findIndex((w) => w.label === rule.window);
  const sub = rule.subject;
  const out: Record<string, string> = {
    name: rule.name,
    subject: subjectLabel(rule),
    window: rule.window ?? (sub.type === 'breadth' ? s.breadth.window.label : 'bar'),
    value: formatValue(rule, value),
    condition: describeCondition(rule.condition),
    eventTime: new Date(x.evaluation.now.t).toISOString(),
    severity: rule.severity,
  };
  if (sub.type === 'pair') {
    const [a, b] = sub.pair.split('/') as [string, string];
    const pi = s.pairs.findIndex((p) => p.label === sub.pair);
    const point = pi >= 0 ? x.evaluation.spreads[pi * s.windows.length + wi] : undefined;
    const ra = returnOf(x, a, wi);
    const rb = returnOf(x, b, wi);
    Object.assign(out, { pair: sub.pair, small: a, large: b, spreadPp: signedPp(ra === null || rb === null ? null : ra - rb), zScore: fmt2(point?.zScore ?? null), ratio: fmt2(point?.ratio ?? null) });
  } else if (sub.type === 'breadth') {
    Object.assign(out, { sectorsBeatingBenchmarkPct: fmt2(x.evaluation.beatingPct), sectorsLeadingOrImprovingPct: fmt2(leadingOrImprovingPct(x)), advancingPct: fmt2(x.state.thrust.advancing) });
  } else {
    const id = sub.type === 'basket' ? sub.basket : sub.symbol;
    Object.assign(out, { [sub.type === 'basket' ? 'basket' : 'symbol']: id, returnPct: signedPct(returnOf(x, id, wi)), relativePct: signedPp(relative(x, id, wi)) });
    if (sub.type === 'sector') {
      const rank = x.evaluation.sectors[wi]?.ranking.find((r) => r.symbol === id)?.rank;
      const q = x.state.rrg[id]?.quadrant ?? null;
      Object.assign(out, { sectorName: s.sectors.find((z) => z.symbol === id)?.name ?? id, rank: rank === undefined ? 'n/a' : String(rank), quadrant: q ?? 'n/a', previousQuadrant: rule.condition.type === 'changes_quadrant' && rule.condition.to === undefined ? from : 'n/a' });
    }
  }
  return out;
}

function defaultMessage(rule: RuleSpec): string {
  const c = rule.condition;
  if (c.type === 'changes_quadrant') return c.to === undefined ? '{{name}}: {{symbol}} moved from {{previousQuadrant}} to {{quadrant}}' : '{{name}}: {{symbol}} entered {{quadrant}}';
  if (c.type === 'becomes_leader' || c.type === 'becomes_laggard') return `{{name}}: {{symbol}} ${describeCondition(c)} over {{window}} ({{returnPct}}, margin {{value}})`;
  return `{{name}}: {{subject}} {{condition}} over {{window}} (now {{value}})`;
}

/** Where `classifier(c, h)` can change its answer: its thresholds, with and without the hysteresis. */
function breakpointsOf(c: RuleCondition, h: number): number[] | null {
  switch (c.type) {
    case 'crosses_above':
      return [c.value, c.value - h];
    case 'crosses_below':
      return [c.value, c.value + h];
    case 'enters_band':
    case 'leaves_band':
      return [c.low, c.high, c.low - h, c.high + h];
    case 'z_beyond':
      return [c.k, -c.k, c.k - h, -(c.k - h)];
    case 'becomes_leader':
    case 'becomes_laggard':
      return [h, 0];
    case 'changes_quadrant':
      return null;
  }
}

/** What rules may refer to in these settings. */
export function catalogOf(s: CompiledSettings): RuleCatalog {
  return ruleCatalog({ symbols: s.symbols, baskets: [...s.baskets.keys()].map((id) => ({ id })), pairs: s.pairs, sectors: s.sectors, windows: s.windows.map((w) => w.label) });
}

/**
 * Compiles a rule against the settings, or returns why it cannot be evaluated (a universe
 * that changed since the rule was accepted): such a rule stays inert.
 */
export function compileRule(rule: RuleSpec, s: CompiledSettings, catalog: RuleCatalog = catalogOf(s)): CompiledRule | string {
  const problems = ruleProblems(rule, catalog);
  if (problems.length > 0) return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  const c = rule.condition;
  const anyQuadrant = c.type === 'changes_quadrant' && c.to === undefined;
  return {
    measure: measureOf(rule, s),
    measureKey: JSON.stringify([rule.subject, rule.window, c.type === 'z_beyond' ? 'z' : c.type === 'becomes_leader' || c.type === 'becomes_laggard' || c.type === 'changes_quadrant' ? c.type : 'value']),
    spec: {
      classify: classifier(c, rule.hysteresis),
      fires: anyQuadrant ? () => true : (_from, to) => to === ON,
      dwell: parseRuleDuration(rule.dwell, s.stepMs),
      cooldown: parseRuleDuration(rule.cooldown, s.stepMs),
    },
    breakpoints: breakpointsOf(c, rule.hysteresis),
    subject: subjectLabel(rule),
    vars: (x, value, from) => variables(rule, s, x, value, from),
    defaultMessage: defaultMessage(rule),
  };
}
