import { describe, expect, it } from 'vitest';
import { decodePolygonFrame } from './decode.js';

describe('decodePolygonFrame', () => {
  it('maps trades and second/minute aggregates of one mixed frame, ignoring quotes', () => {
    const frame = JSON.stringify([
      { ev: 'T', sym: 'MSFT', x: 4, i: '12345', z: 3, p: 114.125, s: 100, c: [0, 12], t: 1536036818784, q: 3681328 },
      { ev: 'Q', sym: 'MSFT', bx: 4, ax: 7, bp: 114.125, ap: 114.128, bs: 100, as: 160, c: 0, t: 1536036818784 },
      { ev: 'AM', sym: 'SPY', v: 4110, av: 9470157, op: 1, vw: 1, o: 1, c: 450.5, h: 2, l: 0.5, a: 1, z: 685, s: 1610144640000, e: 1610144700000 },
      { ev: 'A', sym: 'IWM', v: 10, c: 200, s: 1610144640000, e: 1610144641000 },
    ]);
    expect(decodePolygonFrame(frame).map((i) => (i.kind === 'quote' ? i.raw : i.kind))).toEqual([
      { symbol: 'MSFT', price: 114.125, size: 100, ts: 1536036818784, id: '4-12345', conditions: ['0', '12'], eligibility: { last: false, volume: true, reason: 'extended_hours' } },
      'ignored',
      { symbol: 'SPY', price: 450.5, size: 4110, ts: 1610144700000 },
      { symbol: 'IWM', price: 200, size: 10, ts: 1610144641000 },
    ]);
  });

  it.each([
    ['not JSON', 'nope', /frame is not JSON/],
    ['not an array', '{"ev":"T"}', /not a JSON array/],
  ])('rejects a frame that is %s', (_w, text, message) => {
    expect(decodePolygonFrame(text)).toEqual([{ kind: 'bad', message: expect.stringMatching(message), rawText: text }]);
  });

  it.each([
    [null, /not a JSON object/],
    [{ sym: 'SPY' }, /no event type/],
    [{ ev: 'XX' }, /unknown event type "XX"/],
    [{ ev: 'T', sym: 'SPY', p: 1, t: '2024-01-02T15:00:00Z' }, /trade: field t must be a number/],
    [{ ev: 'T', sym: 'SPY', p: null, t: 1 }, /trade: field p must be a number/],
    [{ ev: 'T', sym: 'SPY', p: 1, t: 1, i: [1] }, /trade: field i must be a number or a string/],
    [{ ev: 'AM', sym: 'SPY', c: 1, s: 1 }, /aggregate: field e must be a number/],
    [{ ev: 'T', sym: 'SPY', p: 1, t: 1, c: 37 }, /trade: field c must be a list of at most 16 condition codes/],
    [{ ev: 'T', sym: 'SPY', p: 1, t: 1, c: [-1] }, /trade: field c must be a list/],
  ])('rejects item %j with a reason', (item, message) => {
    expect(decodePolygonFrame(JSON.stringify([item]))).toEqual([{ kind: 'bad', message: expect.stringMatching(message), rawText: JSON.stringify(item) }]);
  });

  it('a trade without conditions is a regular, eligible trade; unmapped ids are reported', () => {
    const [plain, odd] = decodePolygonFrame(JSON.stringify([
      { ev: 'T', sym: 'AMZN', i: '799', x: 4, p: 161.87, s: 100, t: 1651684192717 },
      { ev: 'T', sym: 'AMZN', i: '800', x: 4, p: 161.87, s: 1, c: [37, 39], t: 1651684192718 },
    ]));
    expect(plain).toMatchObject({ kind: 'quote', raw: { id: '4-799', eligibility: { last: true, volume: true } } });
    expect(plain).not.toHaveProperty('raw.conditions');
    expect(odd).toMatchObject({ kind: 'quote', raw: { conditions: ['37', '39'], eligibility: { last: false, volume: true, reason: 'odd_lot' } }, unknown: ['39'] });
  });

  it('decodes status messages', () => {
    expect(decodePolygonFrame('[{"ev":"status","status":"auth_failed","message":"authentication failed"}]')).toEqual([
      { kind: 'status', status: 'auth_failed', message: 'authentication failed', rawText: '{"ev":"status","status":"auth_failed","message":"authentication failed"}' },
    ]);
  });
});
