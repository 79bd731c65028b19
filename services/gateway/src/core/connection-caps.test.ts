import { describe, expect, it } from 'vitest';
import { ConnectionCaps } from './connection-caps.js';

describe('ConnectionCaps', () => {
  it('refuses a credential over its cap while another credential still gets in', () => {
    const caps = new ConnectionCaps({ perToken: 2, perIp: 0 });
    expect(caps.tryAcquire('a', '10.0.0.1').ok).toBe(true);
    expect(caps.tryAcquire('a', '10.0.0.2').ok).toBe(true);
    expect(caps.tryAcquire('a', '10.0.0.3')).toEqual({ ok: false, limit: 'token', max: 2 });
    expect(caps.tryAcquire('b', '10.0.0.1').ok).toBe(true);
  });

  it('refuses an address over its cap, whatever the credential', () => {
    const caps = new ConnectionCaps({ perToken: 10, perIp: 1 });
    expect(caps.tryAcquire('a', '10.0.0.1').ok).toBe(true);
    expect(caps.tryAcquire('b', '10.0.0.1')).toEqual({ ok: false, limit: 'ip', max: 1 });
    expect(caps.tryAcquire(undefined, '10.0.0.1')).toEqual({ ok: false, limit: 'ip', max: 1 });
    expect(caps.tryAcquire('b', '10.0.0.2').ok).toBe(true);
  });

  it('frees the slot on release, once, and forgets keys that reach zero', () => {
    const caps = new ConnectionCaps({ perToken: 1, perIp: 1 });
    const first = caps.tryAcquire('a', 'x');
    if (!first.ok) throw new Error('expected ok');
    first.release();
    first.release();
    expect(caps.countFor('a')).toBe(0);
    expect(caps.countForIp('x')).toBe(0);
    const second = caps.tryAcquire('a', 'x');
    expect(second.ok).toBe(true);
    expect(caps.countFor('a')).toBe(1);
  });

  it('does not count a refused attempt', () => {
    const caps = new ConnectionCaps({ perToken: 1, perIp: 5 });
    caps.tryAcquire('a', 'x');
    caps.tryAcquire('a', 'x');
    expect(caps.countForIp('x')).toBe(1);
  });

  it.each([
    [{ perToken: 0, perIp: 0 }, 'a', 'x'],
    [{ perToken: 1, perIp: 0 }, undefined, 'x'],
  ])('with %o, credential %s from %s is never capped', (options, credential, ip) => {
    const caps = new ConnectionCaps(options);
    for (let i = 0; i < 50; i++) expect(caps.tryAcquire(credential, ip).ok).toBe(true);
  });
});
