import { describe, expect, it } from 'vitest';
import type { AlertKind, Severity } from '@rotation/schemas';
import { acceptsAlert, type AlertFilter } from './filter.js';

describe('acceptsAlert', () => {
  it.each<[string, AlertFilter, AlertKind, Severity, boolean]>([
    ['everything by default', { minSeverity: 'info' }, 'spread_zscore', 'info', true],
    ['below the minimum severity', { minSeverity: 'warning' }, 'spread_zscore', 'info', false],
    ['at the minimum severity', { minSeverity: 'warning' }, 'spread_zscore', 'warning', true],
    ['above the minimum severity', { minSeverity: 'warning' }, 'spread_zscore', 'critical', true],
    ['only critical', { minSeverity: 'critical' }, 'leadership_change', 'warning', false],
    ['a listed kind', { kinds: ['size_regime_change', 'breadth_thrust'], minSeverity: 'info' }, 'breadth_thrust', 'info', true],
    ['an unlisted kind', { kinds: ['size_regime_change'], minSeverity: 'info' }, 'breadth_thrust', 'critical', false],
    ['kind and severity both required', { kinds: ['size_regime_change'], minSeverity: 'critical' }, 'size_regime_change', 'warning', false],
  ])('%s', (_name, filter, kind, severity, accepted) => {
    expect(acceptsAlert(filter, { kind, severity })).toBe(accepted);
  });
});

describe('acceptsAlert: rule alerts', () => {
  const rule = { kind: 'rule' as const, severity: 'warning' as const, owner: 'alice', deliver: { websocket: true, webhook: 'alice-desk' } };
  it.each([
    ['the owner sink the rule names', { minSeverity: 'info', name: 'alice-desk', owner: 'alice' }, true],
    ['another sink of the same owner', { minSeverity: 'info', name: 'alice-other', owner: 'alice' }, false],
    ['a sink of the same name but another owner', { minSeverity: 'info', name: 'alice-desk', owner: 'bob' }, false],
    ['a shared sink without owner', { minSeverity: 'info', name: 'alice-desk' }, false],
    ['the named sink, above the severity', { minSeverity: 'critical', name: 'alice-desk', owner: 'alice' }, false],
  ] as Array<[string, AlertFilter, boolean]>)('%s', (_name, filter, accepted) => {
    expect(acceptsAlert(filter, rule)).toBe(accepted);
  });

  it('keeps built-in alerts away from owner sinks', () => {
    expect(acceptsAlert({ minSeverity: 'info', name: 'alice-desk', owner: 'alice' }, { kind: 'spread_zscore', severity: 'critical' })).toBe(false);
    expect(acceptsAlert({ minSeverity: 'info', name: 'ops' }, { kind: 'spread_zscore', severity: 'critical' })).toBe(true);
  });
});
