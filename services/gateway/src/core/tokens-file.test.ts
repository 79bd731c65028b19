import { describe, expect, it } from 'vitest';
import { collectTokens } from './tokens-file.js';

describe('collectTokens', () => {
  it('merges environment entries and the file', () => {
    const got = collectTokens(['plain-token-0123456789', 'alice:alice-token-0123456789'], { tokens: [{ name: 'ops', token: 'ops-token-0123456789', admin: true }] });
    expect(got).toEqual([
      { token: 'plain-token-0123456789' },
      { name: 'alice', token: 'alice-token-0123456789', admin: false },
      { name: 'ops', token: 'ops-token-0123456789', admin: true },
    ]);
  });

  it('names the bad entry without echoing its token', () => {
    expect(() => collectTokens(['ok-token-0123456789', 'x:secret-token-0123456789:root'], undefined)).toThrow(/entry 2: a token entry is/);
    try {
      collectTokens(['x:secret-token-0123456789:root'], undefined);
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-token');
    }
    expect(() => collectTokens([], { tokens: [{ name: 'a', token: 'short' }] })).toThrow(/tokens\.0\.token: at least 16/);
    expect(() => collectTokens([], { tokens: [], extra: 1 })).toThrow(/tokens file/);
  });

  it('refuses one token under two names', () => {
    expect(() => collectTokens(['a:same-token-0123456789', 'b:same-token-0123456789'], undefined)).toThrow(/two different names/);
  });
});
