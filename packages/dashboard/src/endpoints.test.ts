import { describe, expect, it } from 'vitest';
import { apiHeaders, streamUrl, tokenFrom, withoutToken } from './endpoints.js';

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

  it('sends the token to the API as a bearer header', () => {
    expect(apiHeaders('a b')).toEqual({ authorization: 'Bearer a b' });
    expect(apiHeaders(undefined)).toEqual({});
  });

  it.each([
    ['http://h/?token=s3cret', 'http://h/'],
    ['http://h/?stream=ws%3A%2F%2Fx%2Fv1%2Fstream&token=t#alerts', 'http://h/?stream=ws%3A%2F%2Fx%2Fv1%2Fstream#alerts'],
    ['http://h/?a=1', 'http://h/?a=1'],
  ])('withoutToken(%s) -> %s', (href, out) => expect(withoutToken(href)).toBe(out));
});
