import { describe, expect, it } from 'vitest';
import { RuleSpec, type RuleView } from '@rotation/schemas';
import { prefillFrom, ruleFromForm, ruleRows, type RuleFormFields } from './rules-form.js';

const blank: RuleFormFields = { name: '', subjectType: 'pair', subject: '', measure: '', window: '', condition: 'crosses_above', value: '', hysteresis: '', dwell: '', cooldown: '', message: '' };

describe('ruleFromForm', () => {
  it('makes the body the API takes, leaving empty optional fields to its defaults', () => {
    const rule = ruleFromForm({ ...blank, name: ' Small caps ', subject: 'IWM/SPY', window: '1d', value: '1', hysteresis: '0.25', cooldown: '1bar', message: '{{pair}} {{spreadPp}}' });
    expect(rule).toEqual({ name: 'Small caps', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1d', condition: { type: 'crosses_above', value: 1 }, hysteresis: 0.25, cooldown: '1bar', message: '{{pair}} {{spreadPp}}' });
    expect(RuleSpec.safeParse(rule).success).toBe(true);
  });

  it('reads bands, quadrants and breadth, and drops the window where a rule has none', () => {
    expect(ruleFromForm({ ...blank, subject: 'AI/RSP', window: '7d', condition: 'leaves_band', value: '-3..3' }).condition).toEqual({ type: 'leaves_band', low: -3, high: 3 });
    const q = ruleFromForm({ ...blank, subjectType: 'sector', subject: 'XLK', window: '1d', condition: 'changes_quadrant', value: 'lagging' });
    expect(q).toMatchObject({ subject: { type: 'sector', symbol: 'XLK' }, condition: { type: 'changes_quadrant', to: 'lagging' } });
    expect(q).not.toHaveProperty('window');
    expect(ruleFromForm({ ...blank, subjectType: 'breadth', subject: 'advancingPct', window: '1d', value: '30', condition: 'crosses_below' })).toMatchObject({ subject: { type: 'breadth', measure: 'advancingPct' } });
    // Not a number: sent as such, and the gateway names the field.
    expect(RuleSpec.safeParse(ruleFromForm({ ...blank, subject: 'IWM/SPY', window: '1d', value: 'abc' })).success).toBe(false);
  });

  it('prefills from a pair or a sector the user clicked', () => {
    const pair = ruleFromForm({ ...blank, ...prefillFrom({ pair: 'IWM/SPY' }, '1h') });
    expect(RuleSpec.safeParse(pair).success).toBe(true);
    expect(pair).toMatchObject({ window: '1h', subject: { pair: 'IWM/SPY' } });
    expect(RuleSpec.safeParse(ruleFromForm({ ...blank, ...prefillFrom({ sector: 'XLK' }, '1h') })).success).toBe(true);
  });
});

describe('ruleRows', () => {
  it('says what each rule watches and when it last fired', () => {
    const view: RuleView = {
      id: 'r_000000000000000000000001', owner: 'a', version: 2, status: 'paused', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z',
      rule: RuleSpec.parse({ name: 'n', subject: { type: 'pair', pair: 'IWM/SPY' }, window: '1d', condition: { type: 'crosses_above', value: 1 } }),
      lastFired: { eventTime: '2024-03-08T15:04:00.000Z', alertId: 'a_1', message: 'm' },
    };
    expect(ruleRows([view, { ...view, lastFired: null }])).toEqual([
      { id: view.id, name: 'n', status: 'paused', summary: 'IWM/SPY crosses above 1 over 1d', lastFired: '2024-03-08 15:04 UTC' },
      { id: view.id, name: 'n', status: 'paused', summary: 'IWM/SPY crosses above 1 over 1d', lastFired: 'never' },
    ]);
  });
});
