import { describe, expect, it } from 'vitest';
import { apiUrl, streamUrl, tokenFrom } from './endpoints.js';

describe('streamUrl', () => {
  it.each([
    [{ protocol: 'http:', host: 'localhost:8080', search: '' }, 'ws://localhost:8080/v1/stream'],
    [{ protocol: 'https:', host: 'rot.example', search: '?token=abc' }, 'wss://rot.example/v1/stream'],
    [{ protocol: 'file:', host: '', search: '?stream=ws://127.0.0.1:9000/v1/stream&token=t' }, 'ws://127.0.0.1:9000/v1/stream'],
    [{ protocol: 'http:', host: 'h', search: '?stream=' + encodeURIComponent('ws://x/v1/stream?token=leak') }, 'ws://x/v1/stream'],
    [{ protocol: 'http:', host: 'h', search: '?stream=javascript:alert(1)' }, 'ws://h/v1/stream'],
  ])('%j -> %s', (loc, url) => expect(streamUrl(loc)).toBe(url));
});

describe('token', () => {
  it.each([
    ['', undefined],
    ['?token=', undefined],
    ['?token=s3cret', 's3cret'],
    ['?x=1&token=a%20b', 'a b'],
  ])('%s -> %s', (search, token) => expect(tokenFrom(search)).toBe(token));

  it('adds the token to API calls', () => {
    expect(apiUrl('/api/v1/snapshot', '?token=a b')).toBe('/api/v1/snapshot?token=a%20b');
    expect(apiUrl('/api/v1/snapshot', '')).toBe('/api/v1/snapshot');
  });
});
