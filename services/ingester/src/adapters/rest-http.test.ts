import { describe, expect, it } from 'vitest';
import { FetchError } from '../core/errors.js';
import { getJson, HTTP_DEFAULTS, type FetchLike, type HttpSettings } from './rest-http.js';

const URL_ = 'https://api.example.test/v3/reference/splits?ticker=SPY';

/** A scripted fetch: one answer per call, in order; records what it was asked. */
function scripted(...answers: Array<Response | Error | 'hang'>) {
  const calls: Array<{ url: string; headers: Record<string, string>; redirect: string }> = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, headers: init.headers, redirect: init.redirect });
    const a = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (a === 'hang') return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    return a instanceof Error ? Promise.reject(a) : Promise.resolve(a.clone());
  };
  return { fetch, calls };
}

const settings = (fetch: FetchLike, extra: Partial<HttpSettings> = {}): HttpSettings => ({
  ...HTTP_DEFAULTS,
  fetch,
  timeoutMs: 200,
  backoff: { initialMs: 1, maxMs: 5, multiplier: 2, minMs: 0 },
  random: () => 0.5,
  ...extra,
});
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const never = new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<FetchError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(FetchError);
  return e as FetchError;
}

describe('getJson', () => {
  it('returns the parsed body; sends the headers, asks for JSON and refuses redirects', async () => {
    const { fetch, calls } = scripted(json({ status: 'OK', results: [] }));
    await expect(getJson(URL_, { authorization: 'Bearer k' }, settings(fetch), never)).resolves.toEqual({ status: 'OK', results: [] });
    expect(calls).toEqual([{ url: URL_, headers: { accept: 'application/json', authorization: 'Bearer k' }, redirect: 'error' }]);
  });

  it('retries 429 and 5xx with backoff, honouring Retry-After, and reports each retry', async () => {
    const { fetch, calls } = scripted(json({}, 503), json({}, 429, { 'retry-after': '0' }), json({ ok: 1 }));
    const retries: Array<{ attempt: number; code: string }> = [];
    await expect(getJson(URL_, {}, settings(fetch), never, (r) => retries.push({ attempt: r.attempt, code: r.error.code }))).resolves.toEqual({ ok: 1 });
    expect(calls).toHaveLength(3);
    expect(retries).toEqual([
      { attempt: 1, code: 'FETCH_HTTP_STATUS' },
      { attempt: 2, code: 'FETCH_HTTP_STATUS' },
    ]);
  });

  it('gives up after the configured retries with the last reason', async () => {
    const { fetch, calls } = scripted(json({ message: 'internal' }, 500));
    const e = await failure(getJson(URL_, {}, settings(fetch, { retries: 2 }), never));
    expect(calls).toHaveLength(3);
    expect(e).toMatchObject({ code: 'FETCH_HTTP_STATUS', retryable: true, message: `${URL_}: HTTP 500 {"message":"internal"}`, context: { status: 500 } });
  });

  it.each([
    [401, 'FETCH_AUTH_FAILED'],
    [403, 'FETCH_AUTH_FAILED'],
    [400, 'FETCH_HTTP_STATUS'],
    [404, 'FETCH_HTTP_STATUS'],
  ])('HTTP %i fails at once (%s), not retried', async (status, code) => {
    const { fetch, calls } = scripted(json({ message: 'forbidden.' }, status));
    expect(await failure(getJson(URL_, {}, settings(fetch), never))).toMatchObject({ code, retryable: false });
    expect(calls).toHaveLength(1);
  });

  it('a request that does not finish within the timeout is retried, then fails as FETCH_TIMEOUT', async () => {
    const { fetch, calls } = scripted('hang');
    const e = await failure(getJson(URL_, {}, settings(fetch, { timeoutMs: 20, retries: 1 }), never));
    expect(e).toMatchObject({ code: 'FETCH_TIMEOUT', message: `${URL_}: no complete answer within 20 ms` });
    expect(calls).toHaveLength(2);
  });

  it('a connection error is retried; its cause code is the reason', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { fetch } = scripted(refused);
    expect(await failure(getJson(URL_, {}, settings(fetch, { retries: 1 }), never))).toMatchObject({ code: 'FETCH_NETWORK', message: `${URL_}: ECONNREFUSED` });
  });

  it('a body over the size limit fails whether it declares its length or not', async () => {
    const big = JSON.stringify({ results: 'x'.repeat(2000) });
    const declared = scripted(new Response(big, { headers: { 'content-length': String(big.length) } }));
    expect(await failure(getJson(URL_, {}, settings(declared.fetch, { maxBytes: 1000 }), never))).toMatchObject({ code: 'FETCH_TOO_LARGE', retryable: false });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const chunked = scripted(new Response(stream));
    expect(await failure(getJson(URL_, {}, settings(chunked.fetch, { maxBytes: 1000 }), never))).toMatchObject({ code: 'FETCH_TOO_LARGE' });
  });

  it('a body that is not JSON is a bad response, not retried', async () => {
    const { fetch, calls } = scripted(new Response('<html>maintenance</html>'));
    expect(await failure(getJson(URL_, {}, settings(fetch), never))).toMatchObject({ code: 'FETCH_BAD_RESPONSE', retryable: false });
    expect(calls).toHaveLength(1);
  });

  it('stopping aborts the request in flight and the backoff wait', async () => {
    const ac = new AbortController();
    const { fetch } = scripted('hang');
    const p = getJson(URL_, {}, settings(fetch, { timeoutMs: 10_000 }), ac.signal);
    setTimeout(() => ac.abort(), 10);
    expect(await failure(p)).toMatchObject({ code: 'FETCH_ABORTED' });
    const slow = scripted(json({}, 503));
    const waiting = getJson(URL_, {}, settings(slow.fetch, { backoff: { initialMs: 10_000, maxMs: 10_000, multiplier: 1, minMs: 10_000 } }), ac.signal);
    expect(await failure(waiting)).toMatchObject({ code: 'FETCH_ABORTED' });
  });
});
