import { describe, expect, it } from 'vitest';
import { decodeAlpacaFrame } from './decode.js';

const NOW = Date.parse('2026-11-23T20:00:00Z');

describe('decodeAlpacaFrame', () => {
  it('maps a batched frame of mixed types in order: trade, minute bar, quote (ignored), updated bar, daily bar', () => {
    const frame = JSON.stringify([
      { T: 't', S: 'AAPL', i: 628, x: 'K', p: 162.92, s: 3, c: ['@', 'F'], z: 'C', t: '2023-04-06T11:54:26.838232225Z' },
      { T: 'b', S: 'SPY', o: 1, h: 2, l: 0.5, c: 450, v: 205, t: '2024-07-24T07:56:00Z', n: 16, vw: 1.2 },
      { T: 'q', S: 'AMD', ap: 1, bp: 1, as: 1, bs: 1, t: '2024-07-24T07:56:00Z' },
      { T: 'u', S: 'SPY', c: 451, v: 210, t: '2024-07-24T07:56:00Z' },
      { T: 'd', S: 'IWM', c: 220, v: 1e6, t: '2024-07-24T04:00:00Z' },
    ]);
    const items = decodeAlpacaFrame(frame, NOW);
    expect(items.map((i) => (i.kind === 'quote' ? i.raw : i.kind))).toEqual([
      { symbol: 'AAPL', price: 162.92, size: 3, ts: '2023-04-06T11:54:26.838232225Z', id: 'K-628', conditions: ['@', 'F'], eligibility: { last: true, volume: true } },
      { symbol: 'SPY', price: 450, size: 205, ts: Date.parse('2024-07-24T07:57:00Z') },
      'ignored',
      { symbol: 'SPY', price: 451, size: 210, ts: Date.parse('2024-07-24T07:57:00Z') },
      // A daily bar is stamped at its session's close (16:00 EDT), not at its start or a day later.
      { symbol: 'IWM', price: 220, size: 1e6, ts: Date.parse('2024-07-24T20:00:00Z') },
    ]);
    expect(items[0]).toMatchObject({ rawText: JSON.stringify(JSON.parse(frame)[0]) });
  });

  it('dates a bar of a day still running at its receipt, not in the future', () => {
    const received = Date.parse('2024-07-24T15:00:00Z');
    const [item] = decodeAlpacaFrame(JSON.stringify([{ T: 'd', S: 'IWM', c: 220, t: '2024-07-24T04:00:00Z' }]), received);
    expect(item).toMatchObject({ kind: 'quote', raw: { ts: received } });
  });

  it.each([
    ['an early close (the day after Thanksgiving, 13:00 EST)', '2024-11-29T05:00:00Z', '2024-11-29T18:00:00Z'],
    ['a winter day (16:00 EST)', '2024-01-02T05:00:00Z', '2024-01-02T21:00:00Z'],
    ['a bar labelled at UTC midnight', '2024-07-24T00:00:00Z', '2024-07-24T20:00:00Z'],
  ])('stamps a daily bar at its session close on %s', (_what, t, close) => {
    const [item] = decodeAlpacaFrame(JSON.stringify([{ T: 'd', S: 'IWM', c: 220, t }]), NOW);
    expect(item).toMatchObject({ kind: 'quote', raw: { ts: Date.parse(close) } });
  });

  it('rejects a daily bar for a day the exchange was closed', () => {
    const [item] = decodeAlpacaFrame(JSON.stringify([{ T: 'd', S: 'IWM', c: 220, t: '2024-07-04T04:00:00Z' }]), NOW);
    expect(item).toMatchObject({ kind: 'bad', message: 'daily bar: no XNYS session on the date of 2024-07-04T04:00:00Z' });
  });

  it('maps a cancel to a cancel event with the trade id of the print it takes back', () => {
    const frame = '[{"T":"x","S":"DJT","i":4868,"x":"D","p":36.18,"s":31800,"a":"C","z":"C","t":"2024-07-24T14:30:00Z"},{"T":"x","S":"DJT","i":1,"x":"D","p":36.18,"a":"E","t":"2024-07-24T14:30:00Z"}]';
    expect(decodeAlpacaFrame(frame, NOW).map((i) => (i.kind === 'event' ? i.raw : i))).toEqual([
      { type: 'cancel', symbol: 'DJT', ts: '2024-07-24T14:30:00Z', id: 'D-4868', price: 36.18, size: 31800, action: 'cancel' },
      { type: 'cancel', symbol: 'DJT', ts: '2024-07-24T14:30:00Z', id: 'D-1', price: 36.18, action: 'error' },
    ]);
  });

  it('maps a correction: the original by its id, the corrected print with its own eligibility', () => {
    const frame = JSON.stringify([{ T: 'c', S: 'AAPL', x: 'Q', oi: 1532, op: 144.6, os: 25, oc: ['@', 'I'], ci: 1533, cp: 144.46, cs: 125, cc: ['@'], z: 'C', t: '2021-01-27T10:35:34.82840127Z' }]);
    const [item] = decodeAlpacaFrame(frame, NOW);
    expect(item).toEqual({
      kind: 'event',
      raw: {
        type: 'correction',
        symbol: 'AAPL',
        ts: '2021-01-27T10:35:34.82840127Z',
        id: 'Q-1532',
        price: 144.6,
        size: 25,
        conditions: ['@', 'I'],
        corrected: { id: 'Q-1533', price: 144.46, size: 125, conditions: ['@'], eligibility: { last: true, volume: true } },
      },
      rawText: JSON.stringify(JSON.parse(frame)[0]),
    });
  });

  it.each([
    [{ T: 'x', S: 'DJT', x: 'D', p: 1, t: '2024-07-24T14:30:00Z' }, 'cancel: field i (the cancelled trade id) is missing'],
    [{ T: 'x', S: 'DJT', i: 1, x: 'D', p: 1, a: 'X', t: '2024-07-24T14:30:00Z' }, 'cancel: field a must be "C" (cancel) or "E" (error)'],
    [{ T: 'x', S: 'DJT', i: 1, p: '1', t: '2024-07-24T14:30:00Z' }, 'cancel: field p must be a number'],
    [{ T: 'c', S: 'AAPL', x: 'Q', op: 1, cp: 2, t: '2024-07-24T14:30:00Z' }, 'correction: field oi (the original trade id) is missing'],
    [{ T: 'c', S: 'AAPL', x: 'Q', oi: 1, op: 1, t: '2024-07-24T14:30:00Z' }, 'correction: field cp must be a number'],
    [{ T: 'c', S: 'AAPL', x: 'Q', oi: 1, op: 1, cp: 2, cc: 'I', t: '2024-07-24T14:30:00Z' }, 'correction: field cc must be a list of at most 16 condition codes'],
  ])('rejects cancel or correction %j', (item, message) => {
    expect(decodeAlpacaFrame(JSON.stringify([item]), NOW)).toEqual([{ kind: 'bad', message, rawText: JSON.stringify(item) }]);
  });

  it('keeps integer prices and trades without size or id', () => {
    const [item] = decodeAlpacaFrame('[{"T":"t","S":"SPY","p":450,"t":"2024-01-02T15:00:00Z"}]', NOW);
    expect(item).toEqual({ kind: 'quote', raw: { symbol: 'SPY', price: 450, ts: '2024-01-02T15:00:00Z', eligibility: { last: true, volume: true } }, rawText: '{"T":"t","S":"SPY","p":450,"t":"2024-01-02T15:00:00Z"}' });
  });

  it.each([
    ['not JSON', '[{"T":"t"', /frame is not JSON/],
    ['an object, not an array', '{"T":"t"}', /not a JSON array/],
  ])('rejects a frame that is %s as a whole', (_what, text, message) => {
    const items = decodeAlpacaFrame(text, NOW);
    expect(items).toEqual([{ kind: 'bad', message: expect.stringMatching(message), rawText: text }]);
  });

  it.each([
    [42, /not a JSON object/],
    [{ S: 'SPY' }, /no message type/],
    [{ T: 'zz' }, /unknown message type "zz"/],
    [{ T: 't', S: 'SPY', p: '450', t: '2024-01-02T15:00:00Z' }, /trade: field p must be a number/],
    [{ T: 't', S: '', p: 450, t: '2024-01-02T15:00:00Z' }, /trade: field S must be a non-empty string/],
    [{ T: 't', S: 'SPY', p: 450, t: 1704207600000 }, /trade: field t must be a non-empty string/],
    [{ T: 't', S: 'SPY', p: 450, s: 'lots', t: '2024-01-02T15:00:00Z' }, /trade: field s must be a number/],
    [{ T: 'b', S: 'SPY', c: 450, t: 'yesterday' }, /bar: field t is not an RFC 3339 timestamp/],
    [{ T: 'b', S: 'SPY', t: '2024-01-02T15:00:00Z' }, /bar: field c must be a number/],
    [{ T: 't', S: 'SPY', p: 450, c: '@', t: '2024-01-02T15:00:00Z' }, /trade: field c must be a list of at most 16 condition codes/],
  ])('rejects item %j with a reason, keeping the item as raw text', (item, message) => {
    const [decoded] = decodeAlpacaFrame(JSON.stringify([item]), NOW);
    expect(decoded).toEqual({ kind: 'bad', message: expect.stringMatching(message), rawText: JSON.stringify(item) });
  });

  it('passes values through for the normaliser to judge (a negative price is well formed)', () => {
    const [item] = decodeAlpacaFrame('[{"T":"t","S":"spy","p":-1,"t":"not a time"}]', NOW);
    expect(item).toMatchObject({ kind: 'quote', raw: { symbol: 'spy', price: -1, ts: 'not a time' } });
  });

  it('decodes control messages', () => {
    expect(decodeAlpacaFrame('[{"T":"success","msg":"connected"}]', NOW)).toEqual([{ kind: 'success', msg: 'connected' }]);
    expect(decodeAlpacaFrame('[{"T":"error","code":402,"msg":"auth failed"}]', NOW)).toEqual([
      { kind: 'error', code: 402, msg: 'auth failed', rawText: '{"T":"error","code":402,"msg":"auth failed"}' },
    ]);
    expect(decodeAlpacaFrame('[{"T":"subscription","trades":["SPY","IWM"],"quotes":[],"corrections":["SPY"]}]', NOW)).toEqual([
      { kind: 'subscription', channels: { trades: ['SPY', 'IWM'], quotes: [], corrections: ['SPY'] } },
    ]);
  });
});
