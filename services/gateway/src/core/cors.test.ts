import { describe, expect, it } from 'vitest';
import { corsAnswer, corsEnabled, corsPolicy } from './cors.js';

describe('corsAnswer', () => {
  const listed = corsPolicy(['https://app.example.com', 'http://localhost:5173']);

  it('echoes an allowed origin with Vary: Origin and the readable headers', () => {
    expect(corsAnswer(listed, 'https://app.example.com', false)).toEqual({
      kind: 'allowed',
      headers: { 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin', 'access-control-expose-headers': 'x-snapshot-version, x-epoch, location, retry-after' },
    });
  });

  it('answers a preflight with methods, headers and max-age', () => {
    const answer = corsAnswer(listed, 'http://localhost:5173', true);
    expect(answer.kind).toBe('allowed');
    expect(answer.kind === 'allowed' && answer.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      vary: 'Origin',
      'access-control-allow-methods': expect.stringContaining('DELETE') as string,
      'access-control-allow-headers': 'authorization, content-type, last-event-id',
      'access-control-max-age': '600',
    });
  });

  it.each([
    ['another origin', 'https://evil.example.com'],
    ['a listed host on another scheme', 'http://app.example.com'],
    ['a listed origin with a path-like suffix', 'https://app.example.com.evil.net'],
    ['the null origin', 'null'],
  ])('refuses %s', (_name, origin) => {
    expect(corsAnswer(listed, origin, true)).toEqual({ kind: 'refused' });
  });

  it('adds nothing to a same-origin or non-browser request', () => {
    expect(corsAnswer(listed, undefined, false)).toEqual({ kind: 'none' });
  });

  it('allows any origin only when * is configured, and answers * without Vary', () => {
    expect(corsAnswer(corsPolicy(['*']), 'https://anything.example', false)).toMatchObject({ kind: 'allowed', headers: { 'access-control-allow-origin': '*' } });
    expect(corsEnabled(corsPolicy([]))).toBe(false);
    expect(corsAnswer(corsPolicy([]), 'https://anything.example', false)).toEqual({ kind: 'refused' });
  });
});
