import { describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, metricsAccess, PAGE_HEADERS, staticPathAllowed, type MetricsAccess, type MetricsMode } from './http-policy.js';

describe('metricsAccess', () => {
  it.each<[MetricsMode, boolean, boolean, MetricsAccess | null]>([
    ['off', true, true, { kind: 'off' }],
    ['on', true, false, { kind: 'open' }],
    ['token', false, true, { kind: 'bearer', api: false, metricsToken: true }],
    ['token', true, false, null],
    ['auto', false, false, { kind: 'open' }],
    ['auto', true, false, { kind: 'bearer', api: true, metricsToken: false }],
    ['auto', false, true, { kind: 'bearer', api: false, metricsToken: true }],
    ['auto', true, true, { kind: 'bearer', api: true, metricsToken: true }],
  ])('%s with api auth %s and a metrics token %s', (mode, api, token, expected) => {
    expect(metricsAccess(mode, api, token)).toEqual(expected);
  });
});

describe('staticPathAllowed', () => {
  it('refuses source maps unless they are on, in any case', () => {
    expect(staticPathAllowed('/app.js', false)).toBe(true);
    expect(staticPathAllowed('/app.js.map', false)).toBe(false);
    expect(staticPathAllowed('/APP.JS.MAP', false)).toBe(false);
    expect(staticPathAllowed('/app.js.map', true)).toBe(true);
  });
});

describe('page headers', () => {
  it('allow no inline script or style and no framing', () => {
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    expect(DASHBOARD_CSP).not.toContain('unsafe-eval');
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
    expect(PAGE_HEADERS).toMatchObject({ 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
  });
});
