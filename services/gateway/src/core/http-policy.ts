/**
 * What the gateway's HTTP side exposes and the headers it answers with. Pure: the server and
 * the static-file adapter apply these.
 */

/**
 * The dashboard's Content-Security-Policy. The page is one bundled script and one stylesheet
 * from its own origin, an inline SVG favicon (data:) and a websocket back to the gateway (or
 * the `?stream=` one it was pointed at, hence ws:/wss:). No inline script or style, no eval,
 * no framing: an injected string in an alert cannot run, and the page cannot be clickjacked.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** On every response: browsers must not guess a type (a JSON body sniffed as HTML would run). */
export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/**
 * On HTML pages. `no-referrer`: a page opened with `?token=` must not hand the token to any
 * link it leads to. X-Frame-Options repeats frame-ancestors for browsers without CSP 2.
 */
export const PAGE_HEADERS = {
  ...NOSNIFF,
  'content-security-policy': DASHBOARD_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/**
 * GATEWAY_METRICS. `auto` (default): open while the gateway needs no credentials (everything
 * is open then anyway), else a bearer credential is needed: any the API accepts, or
 * GATEWAY_METRICS_TOKEN. `token`: only GATEWAY_METRICS_TOKEN. `on`: open. `off`: 404.
 */
export type MetricsMode = 'auto' | 'on' | 'off' | 'token';

/** Who may read /metrics, once the mode and the configured credentials are known. */
export type MetricsAccess = { kind: 'off' } | { kind: 'open' } | { kind: 'bearer'; api: boolean; metricsToken: boolean };

/** null when the combination cannot work (`token` without a token): the caller refuses to start. */
export function metricsAccess(mode: MetricsMode, apiAuthRequired: boolean, hasMetricsToken: boolean): MetricsAccess | null {
  switch (mode) {
    case 'off':
      return { kind: 'off' };
    case 'on':
      return { kind: 'open' };
    case 'token':
      return hasMetricsToken ? { kind: 'bearer', api: false, metricsToken: true } : null;
    case 'auto':
      return apiAuthRequired || hasMetricsToken ? { kind: 'bearer', api: apiAuthRequired, metricsToken: hasMetricsToken } : { kind: 'open' };
  }
}

/** Source maps (GATEWAY_SOURCE_MAPS): a `.map` request is served only when they are on. */
export function staticPathAllowed(pathname: string, sourceMaps: boolean): boolean {
  return sourceMaps || !pathname.toLowerCase().endsWith('.map');
}
