import { describe, expect, it } from 'vitest';
import { finnhubSession } from './session.js';

describe('finnhubSession', () => {
  it('subscribes one message per symbol on open and counts as subscribed', () => {
    expect(finnhubSession({ symbols: ['IWM', 'SPY'] }).onOpen()).toEqual([
      { kind: 'send', what: 'subscribe', text: '{"type":"subscribe","symbol":"IWM"}' },
      { kind: 'send', what: 'subscribe', text: '{"type":"subscribe","symbol":"SPY"}' },
      { kind: 'subscribed', detail: { symbols: 2 } },
    ]);
  });

  it('treats a token error as fatal and other errors as provider errors', () => {
    const s = finnhubSession({ symbols: [] });
    expect(s.onFrame('{"type":"error","msg":"Invalid API token"}', 0)).toEqual([{ kind: 'fatal', code: 'LIVE_AUTH_FAILED', message: expect.stringMatching(/FINNHUB_TOKEN/) }]);
    expect(s.onFrame('{"type":"error","msg":"Subscribing to too many symbols"}', 0).map((e) => e.kind)).toEqual(['log', 'reject']);
    expect(s.onFrame('{"type":"ping"}', 0)).toEqual([{ kind: 'log', level: 'debug', message: 'heartbeat' }]);
  });

  it('warns once per connection about a condition code the table does not know', () => {
    const s = finnhubSession({ symbols: [] });
    const frame = '{"type":"trade","data":[{"s":"SPY","p":1,"t":2,"v":1,"c":["1","40"]},{"s":"SPY","p":1,"t":3,"v":1,"c":["40"]}]}';
    expect(s.onFrame(frame, 0).map((e) => e.kind)).toEqual(['log', 'quote', 'quote']);
    expect(s.onFrame(frame, 0)[0]).toMatchObject({ kind: 'quote' });
    expect(finnhubSession({ symbols: [] }).onFrame(frame, 0)[0]).toEqual({
      kind: 'log',
      level: 'warn',
      message: 'sale condition not in the provider table: it withholds nothing',
      fields: { provider: 'finnhub', conditions: ['40'] },
    });
  });
});
