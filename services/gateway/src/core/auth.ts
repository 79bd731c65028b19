import { createHash, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';

export interface AuthOptions {
  /** Static API tokens (GATEWAY_AUTH_TOKENS). */
  tokens: readonly string[];
  /** HS256 secret (GATEWAY_JWT_SECRET). */
  jwtSecret?: string;
  /** Origins allowed to open a websocket or call the API from a browser; empty = any. */
  allowedOrigins?: readonly string[];
  /** Refuse JWTs without `exp` (GATEWAY_JWT_REQUIRE_EXP); default true. */
  requireExp?: boolean;
}

export interface AuthRequest {
  authorization?: string | undefined;
  /** The `token` query parameter, for browsers (which cannot set headers on a websocket). */
  queryToken?: string | undefined;
  origin?: string | undefined;
}

export type AuthDecision =
  | { ok: true; method: 'none' | 'token' | 'jwt'; subject: string; /** JWT `exp` in ms; open connections are closed then. */ expiresAt?: number }
  | { ok: false; status: 401 | 403; reason: string };

const MAX_TOKEN_LENGTH = 4096;
/** Clock skew allowed on `exp` and `nbf`, at the upgrade and on open connections alike. */
export const CLOCK_TOLERANCE_MS = 5_000;

/**
 * The gateway's access decision, shared by the websocket upgrade and the HTTP API. Static
 * tokens are compared as SHA-256 digests with timingSafeEqual against every configured token
 * (no early exit), so neither the length nor the prefix of a token leaks through timing.
 */
export class Authenticator {
  readonly #digests: Buffer[];
  readonly #secret: Uint8Array | undefined;
  readonly #origins: ReadonlySet<string>;
  readonly #requireExp: boolean;

  constructor(options: AuthOptions) {
    this.#digests = options.tokens.map(digest);
    this.#secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
    this.#origins = new Set((options.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '')));
    this.#requireExp = options.requireExp ?? true;
  }

  get required(): boolean {
    return this.#digests.length > 0 || this.#secret !== undefined;
  }

  /**
   * Origin is checked only when the request carries one: browsers always send it, scripts
   * and servers do not and are governed by the token alone.
   */
  originAllowed(origin: string | undefined): boolean {
    return this.#origins.size === 0 || origin === undefined || this.#origins.has(origin);
  }

  async authorize(req: AuthRequest): Promise<AuthDecision> {
    if (!this.originAllowed(req.origin)) return { ok: false, status: 403, reason: 'origin not allowed' };
    if (!this.required) return { ok: true, method: 'none', subject: 'anonymous' };
    const token = bearer(req.authorization) ?? req.queryToken;
    if (!token) return { ok: false, status: 401, reason: 'missing token' };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, status: 401, reason: 'token too long' };
    if (this.#matchesStatic(token)) return { ok: true, method: 'token', subject: `token:${digest(token).toString('hex').slice(0, 8)}` };
    if (this.#secret && token.split('.').length === 3) {
      try {
        const { payload } = await jwtVerify(token, this.#secret, {
          algorithms: ['HS256'],
          clockTolerance: CLOCK_TOLERANCE_MS / 1000,
          // Without exp a leaked token works until the secret is rotated.
          ...(this.#requireExp ? { requiredClaims: ['exp'] } : {}),
        });
        const subject = typeof payload.sub === 'string' ? payload.sub : 'jwt';
        return { ok: true, method: 'jwt', subject, ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}) };
      } catch (error) {
        const reason =
          error instanceof joseErrors.JWTExpired ? 'token expired' : error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp' ? 'token has no exp' : 'invalid token';
        return { ok: false, status: 401, reason };
      }
    }
    return { ok: false, status: 401, reason: 'invalid token' };
  }

  #matchesStatic(token: string): boolean {
    const candidate = digest(token);
    let match = false;
    for (const d of this.#digests) match = timingSafeEqual(d, candidate) || match;
    return match;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function bearer(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

/** A bind address only this host can reach; anything else without auth is open to the network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/** A request path for logs: the `token` query parameter (and anything like it) replaced. */
export function redactPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = new URLSearchParams(path.slice(q + 1));
  for (const k of [...params.keys()]) if (/token|key|secret|password|auth/i.test(k)) params.set(k, 'redacted');
  return `${path.slice(0, q)}?${params.toString()}`;
}
