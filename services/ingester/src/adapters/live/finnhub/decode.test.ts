import { describe, expect, it } from 'vitest';
import { decodeFinnhubFrame } from './decode.js';

describe('decodeFinnhubFrame', () => {
  it('maps every trade of a data batch; v = 0 (price update) keeps size 0', () => {
    const frame = JSON.stringify({
      type: 'trade',
      data: [
        { s: 'AAPL', p: 7296.89, t: 1575526691134, v: 0.011467, c: ['1', '12'] },
        { s: 'SPY', p: 450, t: 1575526691135, v: 0 },
      ],
    });
    expect(decodeFinnhubFrame(frame)).toEqual([
      {
        kind: 'quote',
        raw: { symbol: 'AAPL', price: 7296.89, size: 0.011467, ts: 1575526691134, conditions: ['1', '12'], eligibility: { last: false, volume: true, reason: 'odd_lot' } },
        rawText: '{"s":"AAPL","p":7296.89,"t":1575526691134,"v":0.011467,"c":["1","12"]}',
      },
      { kind: 'quote', raw: { symbol: 'SPY', price: 450, size: 0, ts: 1575526691135, eligibility: { last: true, volume: true } }, rawText: '{"s":"SPY","p":450,"t":1575526691135,"v":0}' },
    ]);
  });

  it('keeps the conditions as sent and reports codes the table does not know', () => {
    const [item] = decodeFinnhubFrame('{"type":"trade","data":[{"s":"SPY","p":1,"t":2,"v":1,"c":["1","24","40"]}]}');
    expect(item).toMatchObject({ kind: 'quote', raw: { conditions: ['1', '24', '40'], eligibility: { last: false, volume: true, reason: 'extended_hours' } }, unknown: ['40'] });
    const [empty] = decodeFinnhubFrame('{"type":"trade","data":[{"s":"SPY","p":1,"t":2,"v":1,"c":[]}]}');
    expect(empty).toEqual({ kind: 'quote', raw: { symbol: 'SPY', price: 1, ts: 2, size: 1, conditions: [], eligibility: { last: true, volume: true } }, rawText: expect.any(String) });
  });

  it('decodes pings and errors', () => {
    expect(decodeFinnhubFrame('{"type":"ping"}')).toEqual([{ kind: 'ping' }]);
    expect(decodeFinnhubFrame('{"type":"error","msg":"Subscribing to too many symbols"}')).toEqual([
      { kind: 'error', msg: 'Subscribing to too many symbols', rawText: '{"type":"error","msg":"Subscribing to too many symbols"}' },
    ]);
  });

  it.each([
    ['{"type":"trade"', /frame is not JSON/],
    ['[1,2]', /frame is not a JSON object/],
    ['{"data":[]}', /no message type/],
    ['{"type":"quote"}', /unknown message type "quote"/],
    ['{"type":"trade","data":{}}', /field data must be an array/],
  ])('rejects frame %s', (text, message) => {
    expect(decodeFinnhubFrame(text)).toEqual([{ kind: 'bad', message: expect.stringMatching(message), rawText: text }]);
  });

  it('rejects bad items of a batch and keeps the good ones', () => {
    const items = decodeFinnhubFrame('{"type":"trade","data":[{"s":"SPY","p":1,"t":2},{"s":"SPY","p":"1","t":2},7,{"s":"IWM","p":3,"t":"x"},{"s":"IWM","p":3,"t":4,"c":"12"},{"s":"IWM","p":3,"t":4,"c":[12.5]}]}');
    expect(items.map((i) => (i.kind === 'bad' ? i.message : i.kind))).toEqual([
      'quote',
      'trade: field p must be a number',
      'trade is not a JSON object',
      'trade: field t must be a number',
      'trade: field c must be a list of at most 16 condition codes',
      'trade: field c must be a list of at most 16 condition codes',
    ]);
  });
});
