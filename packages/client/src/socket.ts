import { ClientError, ClientErrorCode } from './errors.js';

/**
 * The part of the WebSocket API the client uses: what browsers, Node 22's global WebSocket
 * and the `ws` package all provide. Declared here because the project compiles without the
 * DOM library (and so that tests can hand in an in-memory socket).
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection without the closing handshake (a dead peer never answers it). */
  terminate?: () => void;
}

/**
 * Any WebSocket class: the browser's, `ws`'s, or a test double. Typed loosely on purpose so
 * both `WebSocket` (DOM) and `import { WebSocket } from 'ws'` are accepted without a cast.
 */
export type WebSocketConstructor = new (url: string, ...rest: never[]) => object;

/** How the client builds a socket once it knows which class it has. */
type InternalConstructor = new (url: string, protocols: string[], options?: Record<string, unknown>) => WebSocketLike;

export interface ResolvedSocket {
  create: (url: string, options: { headers?: Record<string, string>; maxPayload: number }) => WebSocketLike;
  /** Whether the class takes request headers (only `ws` does; browsers cannot). */
  supportsHeaders: boolean;
}

/**
 * Picks the WebSocket class: the one given; in Node, `ws` loaded on demand (it sends the token
 * in a header instead of the URL, reports a refused upgrade's HTTP status and can terminate a
 * dead peer; Node 22+'s global WebSocket does none of these), else the global; in browsers the
 * global. The specifier is a variable so browser bundlers do not try to include `ws`.
 */
export async function resolveWebSocket(
  given: WebSocketConstructor | undefined,
  loadWs: () => Promise<unknown> = importWs,
  inNode: boolean = isNode(),
): Promise<ResolvedSocket> {
  if (given) return wrap(given as unknown as InternalConstructor, false);
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (!inNode && typeof global === 'function') return wrap(global as InternalConstructor, false);
  let mod: unknown;
  try {
    mod = await loadWs();
  } catch (cause) {
    if (typeof global === 'function') return wrap(global as InternalConstructor, false);
    throw new ClientError(ClientErrorCode.noWebSocket, 'no global WebSocket and the "ws" package could not be loaded; install ws or pass options.WebSocket', {}, { cause });
  }
  const m = mod as { WebSocket?: unknown; default?: unknown };
  const ctor = typeof m.WebSocket === 'function' ? m.WebSocket : m.default;
  if (typeof ctor !== 'function') throw new ClientError(ClientErrorCode.noWebSocket, 'the "ws" module exports no WebSocket class');
  return wrap(ctor as InternalConstructor, true);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function wrap(Ctor: InternalConstructor, isWs: boolean): ResolvedSocket {
  return {
    supportsHeaders: isWs,
    create: (url, { headers, maxPayload }) =>
      isWs ? new Ctor(url, [], { maxPayload, perMessageDeflate: false, ...(headers ? { headers } : {}) }) : new Ctor(url, []),
  };
}

async function importWs(): Promise<unknown> {
  const specifier = 'ws';
  return import(/* @vite-ignore */ specifier);
}

/** The connect URL: the token goes in the `token` query parameter when headers are not an option. */
export function connectUrl(url: string, token: string | undefined, transport: 'query' | 'header'): string {
  if (token === undefined || transport === 'header') return url;
  const u = new URL(url);
  u.searchParams.set('token', token);
  return u.toString();
}

/**
 * The HTTP status of a refused upgrade, when the socket implementation reports one. `ws` fails
 * with "Unexpected server response: 401"; browsers say nothing (the close code is 1006).
 */
export function httpStatusOf(errorEvent: unknown): number | undefined {
  if (typeof errorEvent !== 'object' || errorEvent === null) return undefined;
  const e = errorEvent as { message?: unknown; error?: { message?: unknown } };
  const text = typeof e.message === 'string' ? e.message : typeof e.error?.message === 'string' ? e.error.message : '';
  const match = /Unexpected server response: (\d{3})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** A short, credential-free description of a socket error event for `error` events. */
export function describeSocketError(errorEvent: unknown): string {
  if (typeof errorEvent === 'object' && errorEvent !== null) {
    const e = errorEvent as { message?: unknown; error?: { message?: unknown; code?: unknown } };
    if (typeof e.error?.code === 'string') return e.error.code;
    if (typeof e.message === 'string' && e.message !== '') return redactToken(e.message);
    if (typeof e.error?.message === 'string') return redactToken(e.error.message);
  }
  return 'socket error';
}

/** Error texts may quote the URL, whose query can hold the token. */
export function redactToken(text: string): string {
  return text.replace(/([?&]token=)[^&\s#]*/gi, '$1[redacted]');
}
