/**
 * CORS for `/api/*` (GATEWAY_CORS_ORIGINS): which browser origins may call the API from their
 * own pages, and the headers that say so. Pure; the server applies the headers. The API is
 * authorised by bearer tokens, not cookies, so credentials mode is never granted: a page of
 * an allowed origin still needs a token of its own.
 */
export const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
/** What a cross-origin caller sends beyond the safelisted headers: the token, JSON bodies, an SSE resume. */
export const CORS_ALLOW_HEADERS = 'authorization, content-type, last-event-id';
/** Response headers a cross-origin page may read (the snapshot's version and epoch, a new rule's location, back-off hints). */
export const CORS_EXPOSE_HEADERS = 'x-snapshot-version, x-epoch, location, retry-after';
/** How long a browser may cache a preflight answer (s). */
export const CORS_MAX_AGE_S = 600;

export type CorsPolicy = { any: true } | { any: false; origins: ReadonlySet<string> };

export function corsPolicy(origins: readonly string[]): CorsPolicy {
  return origins.includes('*') ? { any: true } : { any: false, origins: new Set(origins) };
}

export type CorsAnswer =
  /** Not a cross-origin request (no Origin header), or CORS is off: nothing to add. */
  | { kind: 'none' }
  /** An origin that is not allowed: no CORS headers, and a preflight is refused with 403. */
  | { kind: 'refused' }
  | { kind: 'allowed'; headers: Record<string, string> };

/** The CORS headers of a response to `origin` (`preflight`: an OPTIONS with Access-Control-Request-Method). */
export function corsAnswer(policy: CorsPolicy, origin: string | undefined, preflight: boolean): CorsAnswer {
  if (origin === undefined) return { kind: 'none' };
  const allowed = policy.any || policy.origins.has(origin);
  if (!allowed) return { kind: 'refused' };
  // An echoed origin varies by request: caches must key on it. `*` does not.
  const base: Record<string, string> = policy.any ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': origin, vary: 'Origin' };
  if (!preflight) return { kind: 'allowed', headers: { ...base, 'access-control-expose-headers': CORS_EXPOSE_HEADERS } };
  return {
    kind: 'allowed',
    headers: { ...base, 'access-control-allow-methods': CORS_METHODS, 'access-control-allow-headers': CORS_ALLOW_HEADERS, 'access-control-max-age': String(CORS_MAX_AGE_S) },
  };
}

/** True when CORS is configured at all (an empty list answers as before: no headers, OPTIONS 405). */
export function corsEnabled(policy: CorsPolicy): boolean {
  return policy.any || policy.origins.size > 0;
}
