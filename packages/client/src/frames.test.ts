import { describe, expect, it } from 'vitest';
import { decodeFrame, parseStateData } from './frames.js';

const welcome = { type: 'welcome', version: 1, serverTime: '2026-11-23T20:00:00.000Z', heartbeatMs: 15000, epoch: 'e1', instance: 'gw-1' };

describe('decodeFrame', () => {
  it('returns a valid message', () => {
    expect(decodeFrame(JSON.stringify(welcome))).toEqual({ kind: 'message', message: welcome });
  });

  it.each([
    ['not JSON', '{"type":', /not JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['no type', '{"id":"x"}', /no "type"/],
    ['a known type of the wrong shape', JSON.stringify({ type: 'event', channel: 'alerts', epoch: 'e1', seq: 0, prevSeq: 0, data: {} }), /^event frame: seq/],
    ['an unknown channel', JSON.stringify({ type: 'subscribed', id: 'c1', channels: ['gold'] }), /^subscribed frame: channels\.0/],
    ['an extra key (strict schemas)', JSON.stringify({ ...welcome, extra: 1 }), /welcome frame/],
  ])('reports %s as invalid', (_name, frame, reason) => {
    const decoded = decodeFrame(frame);
    expect(decoded.kind).toBe('invalid');
    expect(decoded.kind === 'invalid' && decoded.reason).toMatch(reason);
  });

  it('treats binary frames as invalid', () => {
    expect(decodeFrame(new Uint8Array([123, 125]))).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/binary/) });
  });

  it('enforces the size limit before parsing', () => {
    expect(decodeFrame(JSON.stringify(welcome), 20)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/exceeds the limit of 20/) });
  });

  it('passes unknown message types through as ignorable', () => {
    expect(decodeFrame('{"type":"presence","who":[]}')).toEqual({ kind: 'unknown', type: 'presence' });
  });

  it('flags a welcome of another protocol version separately', () => {
    expect(decodeFrame(JSON.stringify({ ...welcome, version: 2 }))).toEqual({ kind: 'version', version: 2 });
  });
});

describe('parseStateData', () => {
  const breadth = { sectorsBeatingBenchmarkPct: 45.5, sectorsLeadingOrImprovingPct: 54.5, constituents: null };
  it('accepts the shape of the channel', () => {
    expect(parseStateData('breadth', breadth)).toEqual({ ok: true, value: breadth });
    expect(parseStateData('spreads', [])).toEqual({ ok: true, value: [] });
  });
  it('rejects another channel\'s shape on a channel (the protocol union would accept it)', () => {
    const rrgRow = { symbol: 'XLK', rsRatio: 101, rsMomentum: 99, quadrant: 'weakening', warm: true, tail: [] };
    const result = parseStateData('spreads', [rrgRow]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^spreads data: 0\./);
  });
});
