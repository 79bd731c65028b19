/**
 * Where the page finds its stream. The page is served by the gateway, so the websocket is on the
 * same host. A `?token=` in the page URL is handed to the client, which sends it as the
 * websocket's `token` query parameter (browsers cannot set headers on a handshake); the page
 * then takes it out of its own URL (token-store.ts).
 */
export const STREAM_PATH = '/v1/stream';

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export function tokenFrom(search: string): string | undefined {
  const token = new URLSearchParams(search).get('token');
  return token && token.length > 0 ? token : undefined;
}

/** An explicit `?stream=ws://host:port/v1/stream` wins (a page opened from disk or another host). */
export function streamUrl(loc: PageLocation): string {
  const explicit = new URLSearchParams(loc.search).get('stream');
  if (explicit && /^wss?:\/\//.test(explicit)) {
    const u = new URL(explicit);
    u.searchParams.delete('token');
    return u.toString();
  }
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${STREAM_PATH}`;
}

/** Headers for a same-origin API call: the token as a bearer header, never in the URL. */
export function apiHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** `href` without its `token` parameter; every other parameter and the fragment are kept. */
export function withoutToken(href: string): string {
  const u = new URL(href);
  u.searchParams.delete('token');
  return u.toString();
}
