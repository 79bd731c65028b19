import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { classifyAddress, targetAllowed } from './address.js';
import { WebhookError, WebhookErrorCode } from './errors.js';

export interface TargetPolicy {
  /** Let sinks reach loopback, private and link-local addresses (local receivers, tests). */
  allowPrivate: boolean;
}

function refused(address: string): WebhookError {
  // The address class, not the address or host: the URL may be a secret.
  return new WebhookError(WebhookErrorCode.targetRefused, `target resolves to a ${classifyAddress(address).replace('_', '-')} address`, { class: classifyAddress(address) });
}

/**
 * A lookup for the connection itself: every address the name resolves to is judged, and the
 * socket connects only to an address that passed. Checking in a separate step before fetch()
 * would let a name that answers differently the second time (DNS rebinding) slip through.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as object), all: true } as LookupAllOptions, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => !targetAllowed(a.address, policy.allowPrivate));
      if (bad || addresses.length === 0) return callback(refused(bad?.address ?? '') as unknown as NodeJS.ErrnoException, '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * The subset of fetch() the sinks use (POST, headers, string body, signal, no redirects),
 * over node:http with guardedLookup. A host that is an IP literal is judged as written: the
 * URL parser has already turned `2130706433` and `0x7f.1` into 127.0.0.1.
 */
export function guardedFetch(policy: TargetPolicy): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (classifyAddress(host) !== 'invalid' && !targetAllowed(host, policy.allowPrivate)) throw refused(host);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = client.request(url, { method: init.method ?? 'GET', headers: init.headers as Record<string, string>, lookup: guardedLookup(policy) }, (res) => {
        // The body is not needed; draining frees the connection.
        res.resume();
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 599) return reject(new TypeError('fetch failed', { cause: { code: `HTTP_${status}` } }));
        resolve(new Response(null, { status, headers }));
      });
      const onAbort = () => req.destroy(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.on('error', (error: Error) => {
        // Same shapes as fetch(): the abort reason (TimeoutError), our refusal, or TypeError with the socket error as cause.
        if (signal?.aborted) return reject(signal.reason as Error);
        if (error instanceof WebhookError) return reject(error);
        reject(new TypeError('fetch failed', { cause: error }));
      });
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  }) as typeof fetch;
}
