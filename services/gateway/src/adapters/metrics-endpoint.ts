import type { IncomingMessage, ServerResponse } from 'node:http';
import { Authenticator } from '../core/auth.js';
import { NOSNIFF, type MetricsAccess } from '../core/http-policy.js';
import type { Metrics } from './metrics.js';

/** Decides per request whether /metrics is answered; built once at start from GATEWAY_METRICS. */
export type MetricsGuard = { kind: 'off' } | { kind: 'open' } | { kind: 'bearer'; allows: (authorization: string | undefined) => Promise<boolean> };

/**
 * `api`: any credential the stream accepts; `metricsToken`: GATEWAY_METRICS_TOKEN, compared
 * like an API token (digests, constant time). Header only: a scrape URL with a token in it
 * ends up in scraper configs and logs.
 */
export function metricsGuard(access: MetricsAccess, api: Authenticator, metricsToken: string | undefined): MetricsGuard {
  if (access.kind !== 'bearer') return access;
  const own = access.metricsToken && metricsToken ? new Authenticator({ tokens: [metricsToken] }) : undefined;
  return {
    kind: 'bearer',
    allows: async (authorization) => {
      if (!authorization) return false;
      if (own && (await own.authorize({ authorization })).ok) return true;
      return access.api && (await api.authorize({ authorization })).ok;
    },
  };
}

/** Answers /metrics as the guard says: 404 when off (as if absent), 401 without a good bearer credential. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: Metrics, guard: MetricsGuard): Promise<void> {
  const plain = (status: number, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...NOSNIFF, ...extra });
    res.end(body);
  };
  if (guard.kind === 'off') return plain(404, '{"error":"not found"}');
  if (guard.kind === 'bearer' && !(await guard.allows(req.headers.authorization))) {
    metrics.authFailures.inc({ status: '401' });
    return plain(401, '{"error":"metrics need a bearer token"}', { 'www-authenticate': 'Bearer' });
  }
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store', ...NOSNIFF });
  res.end(body);
}
