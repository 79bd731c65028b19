import { describe, expect, it } from 'vitest';
import { parseRuleDuration, renderTemplate, RulePatch, ruleCatalog, ruleProblems, RuleSpec, templateNames, windowKind } from './rules.js';

const base = { name: 'IWM up', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1d', condition: { type: 'crosses_above', value: 1 } };
const catalog = ruleCatalog({
  symbols: ['IWM', 'SPY', 'XLK', 'RSP', 'NVDA'],
  baskets: [{ id: 'AI' }],
  pairs: [{ small: 'IWM', large: 'SPY' }],
  sectors: [{ symbol: 'XLK' }],
  windows: ['5m', '1d', '7d'],
});

const issues = (v: unknown) => {
  const r = RuleSpec.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('RuleSpec', () => {
  it('fills in the defaults', () => {
    expect(RuleSpec.parse(base)).toEqual({ ...base, subject: { ...base.subject, measure: 'spreadPp' }, hysteresis: 0, dwell: '0', cooldown: '0', evaluate: 'step', severity: 'info', deliver: { websocket: true } });
  });

  it.each([
    [{ ...base, condition: { type: 'enters_band', low: 2, high: 1 } }, 'condition.high: high must be above low'],
    [{ ...base, window: undefined }, 'window: this rule needs a window'],
    [{ ...base, subject: { type: 'breadth' } }, 'window: breadth measures have their configured window'],
    [{ ...base, condition: { type: 'becomes_leader' } }, 'condition.type: becomes_leader needs a sector subject'],
    [{ ...base, subject: { type: 'sector', symbol: 'XLK' }, condition: { type: 'z_beyond', k: 2 } }, 'condition.type: z_beyond needs a pair subject'],
    [{ ...base, dwell: '15 minutes' }, 'dwell: a duration is 0, Nm or Nh'],
    [{ ...base, message: '{{pair}} {{nope}}' }, 'message: unknown template variable {{nope}}'],
    [{ ...base, deliver: { websocket: false } }, 'deliver: deliver somewhere'],
    [{ ...base, name: ' ' }, 'name: name is required'],
    [{ ...base, subject: { type: 'pair', pair: 'IWM' } }, 'subject.pair: a pair is "SMALL/LARGE"'],
  ])('names the field: %j', (rule, message) => {
    expect(issues(rule).join('\n')).toContain(message);
  });

  it('patches carry no defaults, so a merge keeps what the rule had', () => {
    expect(RulePatch.parse({ cooldown: '1bar' })).toEqual({ cooldown: '1bar' });
    expect(RulePatch.safeParse({ bogus: 1 }).success).toBe(false);
  });
});

describe('ruleProblems', () => {
  it('accepts a rule the universe can evaluate', () => {
    expect(ruleProblems(RuleSpec.parse(base), catalog)).toEqual([]);
    expect(ruleProblems(RuleSpec.parse({ ...base, subject: { type: 'pair', pair: 'AI/RSP' } }), catalog)).toEqual([]);
  });

  it.each([
    [{ ...base, window: '1h' }, 'window'],
    [{ ...base, subject: { type: 'pair', pair: 'IWM/QQQ' } }, 'subject.pair'],
    [{ ...base, subject: { type: 'pair', pair: 'AI/RSP', measure: 'zScore' } }, 'subject.pair'],
    [{ ...base, subject: { type: 'pair', pair: 'IWM/SPY', measure: 'zScore' }, window: '5m' }, 'window'],
    [{ ...base, subject: { type: 'sector', symbol: 'NVDA' } }, 'subject.symbol'],
    [{ ...base, subject: { type: 'basket', basket: 'SEMIS' } }, 'subject.basket'],
  ])('refuses %j at %s', (rule, path) => {
    expect(ruleProblems(RuleSpec.parse(rule), catalog).map((p) => p.path)).toContain(path);
  });
});

describe('durations, windows and templates', () => {
  it('reads durations on the two market clocks', () => {
    expect(parseRuleDuration('0', 60_000)).toEqual({ clock: 'steps', n: 0 });
    expect(parseRuleDuration('15m', 60_000)).toEqual({ clock: 'steps', n: 15 });
    expect(parseRuleDuration('2h', 30 * 60_000)).toEqual({ clock: 'steps', n: 4 });
    expect(parseRuleDuration('45m', 30 * 60_000)).toEqual({ clock: 'steps', n: 2 });
    expect(parseRuleDuration('1bar', 60_000)).toEqual({ clock: 'bars', n: 1 });
    expect(parseRuleDuration('3bars', 60_000)).toEqual({ clock: 'bars', n: 3 });
  });

  it('knows window kinds', () => {
    expect(['5m', '1h', '1d', '5sess', '7d', '2w'].map(windowKind)).toEqual(['intraday', 'intraday', 'sessions', 'sessions', 'calendar', 'calendar']);
  });

  it('renders templates, unknown values as n/a', () => {
    expect(templateNames('{{pair}} {{ spreadPp }} over {{window}}')).toEqual(['pair', 'spreadPp', 'window']);
    expect(renderTemplate('{{pair}} {{spreadPp}} over {{window}} {{zScore}}', { pair: 'IWM/SPY', spreadPp: '+1.12 pp', window: '1d' })).toBe('IWM/SPY +1.12 pp over 1d n/a');
  });
});
