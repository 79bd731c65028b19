import type { RuleSpecInput, RuleView } from '@rotation/schemas';

/** The rules form's fields, as strings from the inputs. */
export interface RuleFormFields {
  name: string;
  subjectType: 'pair' | 'sector' | 'symbol' | 'basket' | 'breadth';
  /** "IWM/SPY", "XLK", "AI", or a breadth measure. */
  subject: string;
  measure: string;
  window: string;
  condition: 'crosses_above' | 'crosses_below' | 'enters_band' | 'leaves_band' | 'z_beyond' | 'changes_quadrant' | 'becomes_leader' | 'becomes_laggard';
  /** The value (crosses), "low..high" (bands), k (z) or the quadrant (empty: any change). */
  value: string;
  hysteresis: string;
  dwell: string;
  cooldown: string;
  message: string;
}

function num(v: string): number {
  // Left for the gateway to judge: it names the field when this is not a number.
  return v.trim() === '' ? Number.NaN : Number(v);
}

function conditionOf(f: RuleFormFields): RuleSpecInput['condition'] {
  switch (f.condition) {
    case 'crosses_above':
    case 'crosses_below':
      return { type: f.condition, value: num(f.value) };
    case 'enters_band':
    case 'leaves_band': {
      const [low = '', high = ''] = f.value.split(/\.\.|,/);
      return { type: f.condition, low: num(low), high: num(high) };
    }
    case 'z_beyond':
      return { type: 'z_beyond', k: num(f.value) };
    case 'changes_quadrant':
      return f.value.trim() === '' ? { type: 'changes_quadrant' } : ({ type: 'changes_quadrant', to: f.value.trim() } as RuleSpecInput['condition']);
    case 'becomes_leader':
    case 'becomes_laggard':
      return { type: f.condition };
  }
}

function subjectOf(f: RuleFormFields): RuleSpecInput['subject'] {
  const m = f.measure.trim() === '' ? {} : { measure: f.measure.trim() };
  const s = f.subject.trim();
  switch (f.subjectType) {
    case 'pair':
      return { type: 'pair', pair: s, ...m } as RuleSpecInput['subject'];
    case 'sector':
      return { type: 'sector', symbol: s, ...m } as RuleSpecInput['subject'];
    case 'symbol':
      return { type: 'symbol', symbol: s, ...m } as RuleSpecInput['subject'];
    case 'basket':
      return { type: 'basket', basket: s, ...m } as RuleSpecInput['subject'];
    case 'breadth':
      return { type: 'breadth', measure: s || f.measure.trim() || 'sectorsBeatingBenchmarkPct' } as RuleSpecInput['subject'];
  }
}

/**
 * The body POST /api/v1/rules gets from the form. Empty optional fields are left out so the
 * gateway's defaults apply; what is invalid is judged (and named) by the gateway.
 */
export function ruleFromForm(f: RuleFormFields): RuleSpecInput {
  const windowless = f.subjectType === 'breadth' || f.condition === 'changes_quadrant';
  const subject = subjectOf(f);
  return {
    name: f.name.trim() || `${f.subject.trim() || f.subjectType} ${f.condition.replace(/_/g, ' ')}`,
    subject,
    ...(windowless || f.window === '' ? {} : { window: f.window }),
    condition: conditionOf(f),
    ...(f.hysteresis.trim() !== '' ? { hysteresis: num(f.hysteresis) } : {}),
    ...(f.dwell.trim() !== '' ? { dwell: f.dwell.trim() } : {}),
    ...(f.cooldown.trim() !== '' ? { cooldown: f.cooldown.trim() } : {}),
    ...(f.message.trim() !== '' ? { message: f.message.trim() } : {}),
  };
}

/** Form defaults for a rule started from a click on a pair row or a sector row. */
export function prefillFrom(target: { pair: string } | { sector: string }, window: string | undefined): Partial<RuleFormFields> {
  if ('pair' in target) return { subjectType: 'pair', subject: target.pair, condition: 'crosses_above', value: '1', window: window ?? '', name: `${target.pair} spread above 1 pp`, message: '{{pair}} {{spreadPp}} over {{window}}' };
  return { subjectType: 'sector', subject: target.sector, condition: 'changes_quadrant', value: 'leading', window: '', name: `${target.sector} enters Leading`, message: '{{sectorName}} moved into {{quadrant}}' };
}

export interface RuleRowModel {
  id: string;
  name: string;
  status: RuleView['status'];
  summary: string;
  lastFired: string;
}

function conditionText(v: RuleView): string {
  const c = v.rule.condition;
  switch (c.type) {
    case 'crosses_above':
      return `crosses above ${c.value}`;
    case 'crosses_below':
      return `crosses below ${c.value}`;
    case 'enters_band':
      return `enters ${c.low}..${c.high}`;
    case 'leaves_band':
      return `leaves ${c.low}..${c.high}`;
    case 'z_beyond':
      return `|z| ≥ ${c.k}`;
    case 'changes_quadrant':
      return c.to ? `enters ${c.to}` : 'changes quadrant';
    case 'becomes_leader':
      return 'becomes leader';
    case 'becomes_laggard':
      return 'becomes laggard';
  }
}

/** One row per rule for the panel: what it watches in words, and when it last fired. */
export function ruleRows(views: readonly RuleView[]): RuleRowModel[] {
  return views.map((v) => {
    const s = v.rule.subject;
    const what = s.type === 'pair' ? s.pair : s.type === 'basket' ? s.basket : s.type === 'breadth' ? s.measure : s.symbol;
    const over = v.rule.window ? ` over ${v.rule.window}` : '';
    return {
      id: v.id,
      name: v.rule.name,
      status: v.status,
      summary: `${what} ${conditionText(v)}${over}`,
      lastFired: v.lastFired ? `${v.lastFired.eventTime.slice(0, 16).replace('T', ' ')} UTC` : 'never',
    };
  });
}
