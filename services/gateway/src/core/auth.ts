import { createHash, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';

/** A static API token with the owner id its callers act as. */
export interface NamedToken {
  token: string;
  /** Owner id of the callers that present it; absent for a plain token (owner `token:<8 hex of its digest>`). */
  name?: string | undefined;
  admin?: boolean | undefined;
}

export interface AuthOptions {
  /** Static API tokens (GATEWAY_AUTH_TOKENS entries parsed with parseTokenEntry, and the tokens file). */
  tokens: ReadonlyArray<string | NamedToken>;
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
  | {
      ok: true;
      method: 'none' | 'token' | 'jwt';
      /** The owner id: a JWT's `sub`, a named token's name, `token:<hex>` for a plain token, `anonymous` with auth off. */
      subject: string;
      /** Sees and manages every owner's rules and rule alerts. */
      admin: boolean;
      /** JWT `exp` in ms; open connections are closed then. */
      expiresAt?: number;
    }
  | { ok: false; status: 401 | 403; reason: string };

/** Owner ids: what a JWT `sub` or a token name may be (they appear in rule records and logs). */
export const OWNER_ID = /^[A-Za-z0-9._@|:+-]{1,128}$/;
const TOKEN_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * One GATEWAY_AUTH_TOKENS entry: `TOKEN`, `NAME:TOKEN` or `NAME:TOKEN:admin`. Returns an
 * error message (never echoing the token) for a malformed one.
 */
export function parseTokenEntry(entry: string): NamedToken | string {
  const parts = entry.split(':');
  if (parts.length === 1) return { token: entry };
  const [name, token, flag] = parts;
  if (parts.length > 3 || (flag !== undefined && flag !== 'admin')) return 'a token entry is TOKEN, NAME:TOKEN or NAME:TOKEN:admin';
  if (!TOKEN_NAME.test(name!)) return `token name "${name!.slice(0, 64)}" must be 1-64 letters, digits or . _ @ -`;
  return { name: name!, token: token!, admin: flag === 'admin' };
}

/** A JWT's admin role: `"role": "admin"`, `"roles"` containing "admin", or `"admin": true`. */
function jwtIsAdmin(payload: Record<string, unknown>): boolean {
  const roles = payload.roles;
  return payload.role === 'admin' || payload.admin === true || (Array.isArray(roles) && roles.includes('admin'));
}

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
  readonly #named: Array<{ subject: string; admin: boolean }>;
  readonly #secret: Uint8Array | undefined;
  readonly #origins: ReadonlySet<string>;
  readonly #requireExp: boolean;

  constructor(options: AuthOptions) {
    const tokens = options.tokens.map((t) => (typeof t === 'string' ? { token: t } : t));
    this.#digests = tokens.map((t) => digest(t.token));
    this.#named = tokens.map((t) => ({ subject: t.name ?? `token:${digest(t.token).toString('hex').slice(0, 8)}`, admin: t.admin === true }));
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
    if (!this.required) return { ok: true, method: 'none', subject: 'anonymous', admin: false };
    const token = bearer(req.authorization) ?? req.queryToken;
    if (!token) return { ok: false, status: 401, reason: 'missing token' };
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, status: 401, reason: 'token too long' };
    const named = this.#matchStatic(token);
    if (named) return { ok: true, method: 'token', subject: named.subject, admin: named.admin };
    if (this.#secret && token.split('.').length === 3) {
      try {
        const { payload } = await jwtVerify(token, this.#secret, {
          algorithms: ['HS256'],
          clockTolerance: CLOCK_TOLERANCE_MS / 1000,
          // Without exp a leaked token works until the secret is rotated.
          ...(this.#requireExp ? { requiredClaims: ['exp'] } : {}),
        });
        // The sub is the owner id of every rule the caller makes: one that cannot be one is refused.
        if (typeof payload.sub !== 'string' || !OWNER_ID.test(payload.sub)) return { ok: false, status: 401, reason: 'token sub must be 1-128 letters, digits or . _ @ | : + -' };
        const admin = jwtIsAdmin(payload);
        return { ok: true, method: 'jwt', subject: payload.sub, admin, ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}) };
      } catch (error) {
        const reason =
          error instanceof joseErrors.JWTExpired ? 'token expired' : error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp' ? 'token has no exp' : 'invalid token';
        return { ok: false, status: 401, reason };
      }
    }
    return { ok: false, status: 401, reason: 'invalid token' };
  }

  #matchStatic(token: string): { subject: string; admin: boolean } | undefined {
    const candidate = digest(token);
    let match: number | undefined;
    this.#digests.forEach((d, i) => {
      if (timingSafeEqual(d, candidate) && match === undefined) match = i;
    });
    return match === undefined ? undefined : this.#named[match];
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
