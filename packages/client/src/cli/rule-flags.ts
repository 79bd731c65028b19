import { InvalidArgumentError } from 'commander';
import type { RuleSpecInput, RuleView } from '@rotation/schemas';

/** The shorthand of `rotation rules add`: one subject, one condition, the common options. */
export interface RuleFlags {
  name?: string;
  pair?: string;
  symbol?: string;
  basket?: string;
  sector?: string;
  breadth?: string;
  measure?: string;
  window?: string;
  above?: string;
  below?: string;
  band?: string;
  outside?: string;
  z?: string;
  quadrant?: string | boolean;
  leader?: boolean;
  laggard?: boolean;
  hysteresis?: string;
  dwell?: string;
  cooldown?: string;
  atClose?: boolean;
  severity?: string;
  message?: string;
  webhook?: string;
  socket?: boolean;
}

function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--${flag} needs a number, got "${v}"`);
  return n;
}

function band(flag: string, v: string): { low: number; high: number } {
  const m = /^(-?[0-9.]+)(?:\.\.|,)(-?[0-9.]+)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`--${flag} is LOW..HIGH, e.g. -1..1`);
  return { low: num(flag, m[1]!), high: num(flag, m[2]!) };
}

function subjectOf(f: RuleFlags): RuleSpecInput['subject'] {
  const given = (['pair', 'symbol', 'basket', 'sector', 'breadth'] as const).filter((k) => f[k] !== undefined);
  if (given.length !== 1) throw new InvalidArgumentError('give exactly one subject: --pair A/B, --symbol X, --basket ID, --sector X or --breadth MEASURE');
  const measure = f.measure !== undefined ? { measure: f.measure } : {};
  switch (given[0]!) {
    case 'pair':
      return { type: 'pair', pair: f.pair!, ...measure } as RuleSpecInput['subject'];
    case 'symbol':
      return { type: 'symbol', symbol: f.symbol!, ...measure } as RuleSpecInput['subject'];
    case 'basket':
      return { type: 'basket', basket: f.basket!, ...measure } as RuleSpecInput['subject'];
    case 'sector':
      return { type: 'sector', symbol: f.sector!, ...measure } as RuleSpecInput['subject'];
    case 'breadth':
      return { type: 'breadth', measure: f.breadth! } as RuleSpecInput['subject'];
  }
}

function conditionOf(f: RuleFlags): RuleSpecInput['condition'] {
  const given = (['above', 'below', 'band', 'outside', 'z', 'quadrant', 'leader', 'laggard'] as const).filter((k) => f[k] !== undefined && f[k] !== false);
  if (given.length !== 1) throw new InvalidArgumentError('give exactly one condition: --above V, --below V, --band L..H, --outside L..H, --z K, --quadrant [Q], --leader or --laggard');
  switch (given[0]!) {
    case 'above':
      return { type: 'crosses_above', value: num('above', f.above!) };
    case 'below':
      return { type: 'crosses_below', value: num('below', f.below!) };
    case 'band':
      return { type: 'enters_band', ...band('band', f.band!) };
    case 'outside':
      return { type: 'leaves_band', ...band('outside', f.outside!) };
    case 'z':
      return { type: 'z_beyond', k: num('z', f.z!) };
    case 'quadrant':
      return typeof f.quadrant === 'string' ? ({ type: 'changes_quadrant', to: f.quadrant } as RuleSpecInput['condition']) : { type: 'changes_quadrant' };
    case 'leader':
      return { type: 'becomes_leader' };
    case 'laggard':
      return { type: 'becomes_laggard' };
  }
}

/**
 * The rule the flags describe, as POST /api/v1/rules takes it. Only the shape is checked
 * here; the gateway validates the rule and names every invalid field.
 */
export function ruleFromFlags(f: RuleFlags): RuleSpecInput {
  const subject = subjectOf(f);
  const condition = conditionOf(f);
  const name = f.name ?? `${subject.type === 'pair' ? subject.pair : subject.type === 'breadth' ? 'breadth' : subject.type === 'basket' ? subject.basket : subject.symbol} ${condition.type.replace(/_/g, ' ')}`;
  return {
    name,
    subject,
    ...(f.window !== undefined ? { window: f.window } : {}),
    condition,
    ...(f.hysteresis !== undefined ? { hysteresis: num('hysteresis', f.hysteresis) } : {}),
    ...(f.dwell !== undefined ? { dwell: f.dwell } : {}),
    ...(f.cooldown !== undefined ? { cooldown: f.cooldown } : {}),
    ...(f.atClose ? { evaluate: 'close' as const } : {}),
    ...(f.severity !== undefined ? { severity: f.severity as 'info' } : {}),
    ...(f.message !== undefined ? { message: f.message } : {}),
    deliver: { websocket: f.socket !== false, ...(f.webhook !== undefined ? { webhook: f.webhook } : {}) },
  };
}

function describeSubject(v: RuleView): string {
  const s = v.rule.subject;
  const what = s.type === 'pair' ? s.pair : s.type === 'basket' ? s.basket : s.type === 'breadth' ? 'breadth' : s.symbol;
  return 'measure' in s && s.measure !== undefined ? `${what} ${s.measure}` : what;
}

function describeCondition(v: RuleView): string {
  const c = v.rule.condition;
  switch (c.type) {
    case 'crosses_above':
      return `> ${c.value}`;
    case 'crosses_below':
      return `< ${c.value}`;
    case 'enters_band':
      return `in ${c.low}..${c.high}`;
    case 'leaves_band':
      return `out of ${c.low}..${c.high}`;
    case 'z_beyond':
      return `|z| >= ${c.k}`;
    case 'changes_quadrant':
      return c.to ? `-> ${c.to}` : 'quadrant change';
    case 'becomes_leader':
      return 'leader';
    case 'becomes_laggard':
      return 'laggard';
  }
}

/** `rotation rules ls`: one line per rule, columns aligned. */
export function formatRules(rules: readonly RuleView[], showOwner: boolean): string[] {
  if (rules.length === 0) return ['no rules'];
  const rows = rules.map((r) => [
    r.id,
    ...(showOwner ? [r.owner] : []),
    r.status,
    r.rule.name,
    describeSubject(r),
    r.rule.window ?? '-',
    describeCondition(r),
    r.lastFired ? r.lastFired.eventTime : 'never',
  ]);
  const head = ['ID', ...(showOwner ? ['OWNER'] : []), 'STATUS', 'NAME', 'SUBJECT', 'WINDOW', 'CONDITION', 'LAST FIRED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
