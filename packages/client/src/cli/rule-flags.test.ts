import { describe, expect, it } from 'vitest';
import { RuleSpec, type RuleView } from '@rotation/schemas';
import { formatRules, ruleFromFlags } from './rule-flags.js';

describe('ruleFromFlags', () => {
  it('builds the rule POST /api/v1/rules takes from the shorthand', () => {
    const rule = ruleFromFlags({ pair: 'IWM/SPY', window: '1d', above: '1', hysteresis: '0.25', cooldown: '1bar', message: '{{pair}} {{spreadPp}} over {{window}}', webhook: 'desk' });
    expect(rule).toEqual({
      name: 'IWM/SPY crosses above',
      subject: { type: 'pair', pair: 'IWM/SPY' },
      window: '1d',
      condition: { type: 'crosses_above', value: 1 },
      hysteresis: 0.25,
      cooldown: '1bar',
      message: '{{pair}} {{spreadPp}} over {{window}}',
      deliver: { websocket: true, webhook: 'desk' },
    });
    expect(RuleSpec.safeParse(rule).success).toBe(true);
    expect(ruleFromFlags({ sector: 'XLK', quadrant: 'lagging', name: 'XLK lagging' })).toMatchObject({ subject: { type: 'sector', symbol: 'XLK' }, condition: { type: 'changes_quadrant', to: 'lagging' } });
    expect(ruleFromFlags({ sector: 'XLK', quadrant: true }).condition).toEqual({ type: 'changes_quadrant' });
    expect(ruleFromFlags({ basket: 'AI', window: '7d', outside: '-3..3', atClose: true, socket: false, webhook: 'x' })).toMatchObject({ condition: { type: 'leaves_band', low: -3, high: 3 }, evaluate: 'close', deliver: { websocket: false, webhook: 'x' } });
  });

  it.each([
    [{ window: '1d', above: '1' }, /exactly one subject/],
    [{ pair: 'IWM/SPY', symbol: 'XLK', above: '1' }, /exactly one subject/],
    [{ pair: 'IWM/SPY' }, /exactly one condition/],
    [{ pair: 'IWM/SPY', above: '1', below: '2' }, /exactly one condition/],
    [{ pair: 'IWM/SPY', above: 'one' }, /--above needs a number/],
    [{ pair: 'IWM/SPY', band: '1-2' }, /LOW\.\.HIGH/],
  ])('refuses %j', (flags, message) => {
    expect(() => ruleFromFlags(flags)).toThrow(message);
  });
});

describe('formatRules', () => {
  it('aligns one line per rule and says when it last fired', () => {
    const base = { owner: 'alice', version: 1, status: 'active' as const, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
    const rules: RuleView[] = [
      { ...base, id: 'r_000000000000000000000001', rule: RuleSpec.parse({ name: 'small caps', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1d', condition: { type: 'crosses_above', value: 1 } }), lastFired: { eventTime: '2024-03-08T15:00:00.000Z', alertId: 'a_1', message: 'm' } },
      { ...base, id: 'r_000000000000000000000002', status: 'paused', rule: RuleSpec.parse({ name: 'xlk', subject: { type: 'sector', symbol: 'XLK' }, condition: { type: 'changes_quadrant', to: 'lagging' } }), lastFired: null },
    ];
    expect(formatRules(rules, false)).toEqual([
      'ID                          STATUS  NAME        SUBJECT           WINDOW  CONDITION   LAST FIRED',
      'r_000000000000000000000001  active  small caps  IWM/SPY spreadPp  1d      > 1         2024-03-08T15:00:00.000Z',
      'r_000000000000000000000002  paused  xlk         XLK relativePct   -       -> lagging  never',
    ]);
    expect(formatRules([], false)).toEqual(['no rules']);
  });
});
