import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_METHODS, corsAnswer, corsEnabled, type CorsPolicy } from '../core/cors.js';
import { NOSNIFF } from '../core/http-policy.js';

/**
 * Applies CORS to one `/api/*` request: a preflight (OPTIONS) is answered here (204 for an
 * allowed origin, 403 otherwise) and true is returned; any other request gets its CORS
 * headers set on `res` (kept by the writeHead that follows) and goes on.
 */
export function applyCors(policy: CorsPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const preflight = req.method === 'OPTIONS';
  const answer = corsAnswer(policy, origin, preflight && req.headers['access-control-request-method'] !== undefined);
  // Whatever this answer is, another Origin may get another: caches must not share it.
  if (corsEnabled(policy) && !policy.any) res.setHeader('vary', 'Origin');
  if (answer.kind === 'allowed') for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
  if (!preflight) return false;
  if (origin !== undefined && answer.kind !== 'allowed') {
    const body = JSON.stringify({ error: 'origin not allowed (GATEWAY_CORS_ORIGINS)' });
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...NOSNIFF });
    res.end(body);
    return true;
  }
  res.writeHead(204, { allow: CORS_METHODS, 'cache-control': 'no-store', ...NOSNIFF });
  res.end();
  return true;
}
