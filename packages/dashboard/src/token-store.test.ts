import { describe, expect, it } from 'vitest';
import { adoptToken, TOKEN_KEY, type TokenPlace } from './token-store.js';

function place(href: string, stored: Record<string, string> = {}): TokenPlace & { urls: string[]; stored: Record<string, string> } {
  const urls: string[] = [];
  return {
    href,
    urls,
    stored,
    storage: { getItem: (k) => stored[k] ?? null, setItem: (k, v) => void (stored[k] = v) },
    replaceUrl: (u) => void urls.push(u),
  };
}

describe('adoptToken', () => {
  it('moves a ?token= out of the URL into storage, keeping the other parameters', () => {
    const p = place('http://gw:8080/?stream=ws%3A%2F%2Fx%2Fv1%2Fstream&token=s3cret-token#top');
    expect(adoptToken(p)).toBe('s3cret-token');
    expect(p.stored[TOKEN_KEY]).toBe('s3cret-token');
    expect(p.urls).toEqual(['http://gw:8080/?stream=ws%3A%2F%2Fx%2Fv1%2Fstream#top']);
  });

  it('finds the stored token on a reload, without touching the URL', () => {
    const p = place('http://gw:8080/', { [TOKEN_KEY]: 'kept' });
    expect(adoptToken(p)).toBe('kept');
    expect(p.urls).toEqual([]);
  });

  it('lets a token in the URL replace the stored one', () => {
    const p = place('http://gw:8080/?token=new', { [TOKEN_KEY]: 'old' });
    expect(adoptToken(p)).toBe('new');
    expect(p.stored[TOKEN_KEY]).toBe('new');
  });

  it('has no token when neither has one, and survives storage that throws', () => {
    expect(adoptToken(place('http://gw:8080/'))).toBeUndefined();
    const broken: TokenPlace = {
      href: 'http://gw:8080/?token=t',
      storage: {
        getItem: () => {
          throw new Error('denied');
        },
        setItem: () => {
          throw new Error('denied');
        },
      },
      replaceUrl: () => undefined,
    };
    expect(adoptToken(broken)).toBe('t');
    expect(adoptToken({ ...broken, href: 'http://gw:8080/' })).toBeUndefined();
  });
});
