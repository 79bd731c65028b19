import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { Authenticator, isLoopbackHost, parseTokenEntry, redactPath } from './auth.js';

const secret = 'a-test-secret-of-reasonable-length-123';
const key = new TextEncoder().encode(secret);
const jwt = (claims: Record<string, unknown>, exp: string | number = '5m', k = key) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuedAt().setExpirationTime(exp).sign(k);

describe('owner ids', () => {
  const named = new Authenticator({
    tokens: ['plain-token-0123456789', { name: 'alice', token: 'alice-token-0123456789' }, { name: 'ops', token: 'ops-token-0123456789', admin: true }],
    jwtSecret: secret,
  });

  it('gives a named token its name, a plain one its digest prefix, and only the flagged one admin', async () => {
    expect(await named.authorize({ queryToken: 'alice-token-0123456789' })).toEqual({ ok: true, method: 'token', subject: 'alice', admin: false });
    expect(await named.authorize({ queryToken: 'ops-token-0123456789' })).toEqual({ ok: true, method: 'token', subject: 'ops', admin: true });
    expect(await named.authorize({ queryToken: 'plain-token-0123456789' })).toMatchObject({ ok: true, subject: expect.stringMatching(/^token:[0-9a-f]{8}$/), admin: false });
  });

  it('takes the owner from the JWT sub and admin from a role claim', async () => {
    expect(await named.authorize({ queryToken: await jwt({}) })).toMatchObject({ subject: 'alice', admin: false });
    for (const claims of [{ role: 'admin' }, { roles: ['reader', 'admin'] }, { admin: true }]) {
      expect(await named.authorize({ queryToken: await jwt(claims) })).toMatchObject({ subject: 'alice', admin: true });
    }
    expect(await named.authorize({ queryToken: await jwt({ role: 'reader', admin: 'yes' }) })).toMatchObject({ admin: false });
  });

  it('refuses a JWT whose sub is missing or cannot be an owner id', async () => {
    const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key);
    const badSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('a b<script>').setExpirationTime('5m').sign(key);
    for (const t of [noSub, badSub]) expect(await named.authorize({ queryToken: t })).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/sub/) });
  });

  it.each([
    ['plain-token-0123456789', { token: 'plain-token-0123456789' }],
    ['alice:tok-0123456789abcdef', { name: 'alice', token: 'tok-0123456789abcdef', admin: false }],
    ['ops:tok-0123456789abcdef:admin', { name: 'ops', token: 'tok-0123456789abcdef', admin: true }],
    ['ops:tok:root', 'a token entry is TOKEN, NAME:TOKEN or NAME:TOKEN:admin'],
    ['a:b:admin:x', 'a token entry is TOKEN, NAME:TOKEN or NAME:TOKEN:admin'],
    ['bad name:tok-0123456789abcdef', expect.stringMatching(/token name/)],
  ])('parses the entry %s', (entry, want) => {
    expect(parseTokenEntry(entry)).toEqual(want);
  });
});

describe('Authenticator', () => {
  it('lets everyone in when no token or secret is configured', async () => {
    const a = new Authenticator({ tokens: [] });
    expect(a.required).toBe(false);
    expect(await a.authorize({})).toMatchObject({ ok: true, method: 'none' });
  });

  const a = new Authenticator({ tokens: ['tok-one', 'tok-two'], jwtSecret: secret });
  it.each([
    [{ authorization: 'Bearer tok-one' }, true],
    [{ authorization: 'bearer   tok-two ' }, true],
    [{ queryToken: 'tok-two' }, true],
    [{}, false],
    [{ authorization: 'Bearer tok-on' }, false],
    [{ authorization: 'Bearer tok-one-longer' }, false],
    [{ authorization: 'Basic dG9rLW9uZQ==' }, false],
    [{ queryToken: 'x'.repeat(5000) }, false],
  ])('static token %o -> %s', async (req, ok) => {
    const d = await a.authorize(req);
    expect(d.ok).toBe(ok);
    if (!d.ok) expect(d.status).toBe(401);
  });

  it('accepts a valid HS256 JWT and reports its subject', async () => {
    const d = await a.authorize({ authorization: `Bearer ${await jwt({})}` });
    expect(d).toMatchObject({ ok: true, method: 'jwt', subject: 'alice' });
    // expiresAt drives the close of the open connection.
    expect(d.ok && d.expiresAt).toBeGreaterThan(Date.now() + 4 * 60_000);
  });

  const noExp = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setIssuedAt().sign(key);

  it('refuses a JWT without exp unless configured otherwise', async () => {
    expect(await a.authorize({ queryToken: await noExp() })).toEqual({ ok: false, status: 401, reason: 'token has no exp' });
    const lax = new Authenticator({ tokens: [], jwtSecret: secret, requireExp: false });
    expect(await lax.authorize({ queryToken: await noExp() })).toEqual({ ok: true, method: 'jwt', subject: 'bob', admin: false });
  });

  it('gives static tokens no expiry', async () => {
    expect(await a.authorize({ queryToken: 'tok-one' })).not.toHaveProperty('expiresAt');
  });

  it.each([
    ['expired', async () => jwt({}, Math.floor(Date.now() / 1000) - 60), 'token expired'],
    ['signed with another secret', async () => jwt({}, '5m', new TextEncoder().encode('another-secret-another-secret-123')), 'invalid token'],
    ['tampered', async () => `${await jwt({})}x`, 'invalid token'],
    ['alg none', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`, 'invalid token'],
  ])('refuses a JWT that is %s', async (_name, make, reason) => {
    expect(await a.authorize({ queryToken: await make() })).toEqual({ ok: false, status: 401, reason });
  });

  it('refuses a JWT when no secret is configured', async () => {
    const staticOnly = new Authenticator({ tokens: ['t'] });
    expect((await staticOnly.authorize({ authorization: `Bearer ${await jwt({})}` })).ok).toBe(false);
  });

  it('checks Origin only when the request has one', async () => {
    const o = new Authenticator({ tokens: [], allowedOrigins: ['https://dash.example', 'http://localhost:8080/'] });
    expect((await o.authorize({ origin: 'https://dash.example' })).ok).toBe(true);
    expect((await o.authorize({ origin: 'http://localhost:8080' })).ok).toBe(true);
    expect((await o.authorize({})).ok).toBe(true);
    expect(await o.authorize({ origin: 'https://evil.example' })).toEqual({ ok: false, status: 403, reason: 'origin not allowed' });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['gateway.example', false],
  ])('%s -> %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('redactPath', () => {
  it.each([
    ['/v1/stream?token=abc&x=1', '/v1/stream?token=redacted&x=1'],
    ['/api/v1/alerts?since=3&access_token=zz', '/api/v1/alerts?since=3&access_token=redacted'],
    ['/healthz', '/healthz'],
  ])('%s', (input, expected) => {
    expect(redactPath(input)).toBe(expected);
  });
});
