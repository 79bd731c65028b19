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
