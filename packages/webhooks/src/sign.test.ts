import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './sign.js';

const secret = 'whsec_0123456789abcdef';
const body = '{"v":1,"type":"alert","alert":{"id":"a1"}}';

describe('signBody', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>" in hex, prefixed sha256=', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signBody(secret, 1700000000, body)).toBe(`sha256=${expected}`);
  });
  it('changes with the timestamp, the body and the secret', () => {
    const base = signBody(secret, 1, body);
    expect(signBody(secret, 2, body)).not.toBe(base);
    expect(signBody(secret, 1, `${body} `)).not.toBe(base);
    expect(signBody(`${secret}x`, 1, body)).not.toBe(base);
  });
});

describe('verifySignature', () => {
  const sig = signBody(secret, 1700000000, body);
  it.each([
    ['a good signature', { signature: sig, timestamp: '1700000000', nowSec: 1700000100 }, { ok: true }],
    ['missing headers', { signature: undefined, timestamp: '1700000000', nowSec: 1700000000 }, { ok: false, reason: 'missing' }],
    ['a non-numeric timestamp', { signature: sig, timestamp: '17e8', nowSec: 1700000000 }, { ok: false, reason: 'bad_timestamp' }],
    ['a replay after the tolerance', { signature: sig, timestamp: '1700000000', nowSec: 1700000301 }, { ok: false, reason: 'stale' }],
    ['a tampered signature', { signature: sig.replace(/.$/, (c) => (c === '0' ? '1' : '0')), timestamp: '1700000000', nowSec: 1700000000 }, { ok: false, reason: 'mismatch' }],
    ['a truncated signature', { signature: sig.slice(0, 20), timestamp: '1700000000', nowSec: 1700000000 }, { ok: false, reason: 'mismatch' }],
    ['the signature of another timestamp', { signature: sig, timestamp: '1700000001', nowSec: 1700000000 }, { ok: false, reason: 'mismatch' }],
  ])('%s', (_name, input, result) => {
    expect(verifySignature({ secret, body, ...input })).toEqual(result);
  });
});
