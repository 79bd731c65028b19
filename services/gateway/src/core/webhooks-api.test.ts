import { describe, expect, it } from 'vitest';
import { SinkConfig } from '@rotation/webhooks';
import { manageable, MAX_SINKS_PER_OWNER, planCreate, planReplace, sinkView, type KnownSink, type WebhooksContext } from './webhooks-api.js';

const alice = { owner: 'alice', admin: false };
const bob = { owner: 'bob', admin: false };
const admin = { owner: 'root', admin: true };
const now = new Date('2026-12-01T12:00:00.000Z');
const ctx = (sinks: KnownSink[] = [], allowPrivateTargets = false): WebhooksContext => ({ sinks: new Map(sinks.map((s) => [s.config.name, s])), allowPrivateTargets, now });
const apiSink = (name: string, owner?: string): KnownSink => ({
  config: SinkConfig.parse({ name, url: 'https://hooks.example.com/a/SECRETPATH', ...(owner ? { owner } : {}), secret: 'a-secret-of-16-chars' }),
  source: 'api',
  stored: { v: 1, sink: { name, url: 'https://hooks.example.com/a/SECRETPATH' }, createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 3 },
});

describe('webhook sinks API plans', () => {
  it('an owner\'s new sink is theirs; an admin\'s without owner is shared', () => {
    const mine = planCreate({ name: 'a', url: 'https://hooks.example.com/x' }, alice, ctx());
    expect(mine.ok && mine.config.owner).toBe('alice');
    const shared = planCreate({ name: 'ops', url: 'https://hooks.example.com/x' }, admin, ctx());
    expect(shared.ok && shared.config.owner).toBeUndefined();
  });

  it.each<[string, unknown, number]>([
    ['another owner\'s sink', { name: 'a', url: 'https://hooks.example.com/x', owner: 'bob' }, 403],
    ['a name taken', { name: 'taken', url: 'https://hooks.example.com/x' }, 409],
    ['not an object', [1], 400],
    ['a non-http URL', { name: 'a', url: 'file:///etc/passwd' }, 400],
    ['credentials in the URL', { name: 'a', url: 'https://u:p@hooks.example.com/x' }, 400],
    ['a loopback address', { name: 'a', url: 'http://127.0.0.1:9/x' }, 400],
    ['a link-local address', { name: 'a', url: 'http://[fe80::1]/x' }, 400],
    ['a short secret', { name: 'a', url: 'https://hooks.example.com/x', secret: 'short' }, 400],
    ['too many headers', { name: 'a', url: 'https://hooks.example.com/x', headers: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`h${i}`, 'v'])) }, 400],
    ['an unknown field', { name: 'a', url: 'https://hooks.example.com/x', urll: 'typo' }, 400],
  ])('refuses %s', (_name, body, status) => {
    const plan = planCreate(body, alice, ctx([apiSink('taken', 'bob')]));
    expect(plan.ok ? 201 : plan.status).toBe(status);
  });

  it('allows private targets only when configured', () => {
    expect(planCreate({ name: 'a', url: 'http://127.0.0.1:9/x' }, alice, ctx([], true)).ok).toBe(true);
  });

  it(`caps sinks per owner at ${MAX_SINKS_PER_OWNER}`, () => {
    const full = Array.from({ length: MAX_SINKS_PER_OWNER }, (_, i) => apiSink(`s${i}`, 'alice'));
    const plan = planCreate({ name: 'one-more', url: 'https://hooks.example.com/x' }, alice, ctx(full));
    expect(!plan.ok && plan.status).toBe(409);
  });

  it('a replace keeps the name, the owner and counts the version; others get 404, file sinks 403', () => {
    const c = ctx([apiSink('a', 'alice'), { config: SinkConfig.parse({ name: 'file-sink', url: 'https://x.example.com' }), source: 'file' }]);
    const plan = planReplace('a', { url: 'https://other.example.com/y' }, alice, c);
    expect(plan.ok && [plan.config.owner, plan.stored.version, plan.stored.createdAt]).toEqual(['alice', 4, now.toISOString()]);
    expect(planReplace('a', { url: 'https://other.example.com/y' }, bob, c)).toMatchObject({ ok: false, status: 404 });
    expect(planReplace('a', { name: 'b', url: 'https://other.example.com/y' }, alice, c)).toMatchObject({ ok: false, status: 400 });
    expect(manageable('file-sink', admin, c)).toMatchObject({ ok: false, status: 403 });
    expect(manageable('file-sink', alice, c)).toMatchObject({ ok: false, status: 404 });
    const shared = planReplace('a', { url: 'https://other.example.com/y', owner: null }, admin, c);
    expect(shared.ok && shared.config.owner).toBeUndefined();
  });

  it('a view shows nothing that could be a credential', () => {
    const view = sinkView({ ...apiSink('a', 'alice'), config: SinkConfig.parse({ name: 'a', url: 'https://hooks.example.com/a/SECRETPATH?k=SECRETQ', secret: 'a-secret-of-16-chars', headers: { Authorization: 'Basic SECRETH' } }) });
    expect(view).toMatchObject({ target: 'https://hooks.example.com', secret: true, headers: ['Authorization'] });
    expect(JSON.stringify(view)).not.toMatch(/SECRET|a-secret/);
  });
});
