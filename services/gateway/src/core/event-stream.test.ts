import { describe, expect, it } from 'vitest';
import { advances, formatEventId, parseEventId, parseStreamRequest } from './event-stream.js';

describe('parseStreamRequest', () => {
  const parse = (query: string, header?: string) => parseStreamRequest(new URLSearchParams(query), header, 16);

  it.each<[string, string, string | undefined, unknown]>([
    ['defaults to alerts', '', undefined, { ok: true, channels: ['alerts'], resume: undefined }],
    ['a comma list, deduplicated', 'channels=alerts,spreads,alerts', undefined, { ok: true, channels: ['alerts', 'spreads'], resume: undefined }],
    ['repeated parameters', 'channels=alerts&channels=rrg', undefined, { ok: true, channels: ['alerts', 'rrg'], resume: undefined }],
    ['the header wins over the query', 'lastEventId=e1:3', 'e1:9', { ok: true, channels: ['alerts'], resume: { epoch: 'e1', seq: 9 } }],
    ['the query parameter for polyfills', 'lastEventId=e1:3', undefined, { ok: true, channels: ['alerts'], resume: { epoch: 'e1', seq: 3 } }],
    ['a bare seq', '', '41', { ok: true, channels: ['alerts'], resume: { epoch: undefined, seq: 41 } }],
  ])('%s', (_name, query, header, expected) => {
    expect(parse(query, header)).toEqual(expected);
  });

  it.each([
    ['an unknown channel', 'channels=alerts:everything', undefined, /unknown channel/],
    ['too many channels', `channels=${['alerts', 'spreads', 'sectors', 'rrg', 'breadth', 'alerts:mine'].join(',')}`, undefined, /at most 5 channels/],
    ['a malformed id', '', 'e1:-3', /Last-Event-ID/],
    ['an id with a newline', '', 'e1\n:3', /Last-Event-ID/],
    ['an oversized channels parameter', `channels=${'a'.repeat(3_000)}`, undefined, /at most 2048/],
  ])('refuses %s', (_name, query, header, message) => {
    const r = parseStreamRequest(new URLSearchParams(query), header, 5);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(message);
  });
});

describe('event ids', () => {
  it('round-trips a position', () => {
    expect(parseEventId(formatEventId({ epoch: '6f1c0c9e-5b7a-4b7e-9a51-0c7d2f0e9b11', seq: 812 }))).toEqual({ epoch: '6f1c0c9e-5b7a-4b7e-9a51-0c7d2f0e9b11', seq: 812 });
  });

  it.each<[string, Parameters<typeof advances>[0], Parameters<typeof advances>[1], boolean]>([
    ['no position yet', undefined, { epoch: 'e1', seq: 0 }, true],
    ['a higher seq', { epoch: 'e1', seq: 3 }, { epoch: 'e1', seq: 4 }, true],
    ['the same seq on a second channel', { epoch: 'e1', seq: 4 }, { epoch: 'e1', seq: 4 }, false],
    ['a lower seq (a replayed alert)', { epoch: 'e1', seq: 9 }, { epoch: 'e1', seq: 4 }, false],
    ['another epoch (a resync)', { epoch: 'e0', seq: 9 }, { epoch: 'e1', seq: 2 }, true],
    ['a bare seq matches any epoch', { epoch: undefined, seq: 9 }, { epoch: 'e1', seq: 2 }, false],
  ])('advances: %s', (_name, last, next, expected) => {
    expect(advances(last, next)).toBe(expected);
  });
});
