import { describe, expect, it } from 'vitest';
import { actionFileDecoder, type ActionFileDecoder } from './file.js';

const NOW = 1_717_000_000_000;

function decoder(first: string): ActionFileDecoder {
  const r = actionFileDecoder(first, NOW);
  if (!r.ok) throw new Error(r.message);
  return r.decoder;
}

describe('actionFileDecoder: CSV', () => {
  const csv = decoder('symbol,action,ex_date,ratio,amount');

  it('takes the header as the column order and decodes rows; empty cells are absent; ts is the run time', () => {
    expect(csv).toMatchObject({ format: 'csv', headerConsumed: true });
    expect(csv.decode('NVDA,split,2024-06-10,10,')).toEqual({ kind: 'action', raw: { type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: '10', ts: NOW } });
    expect(csv.decode(' SPY , dividend , 2024-06-21 , , 1.7588 ')).toEqual({ kind: 'action', raw: { type: 'corporate_action', symbol: 'SPY', action: 'dividend', exDate: '2024-06-21', amount: '1.7588', ts: NOW } });
    expect(csv.decode('')).toBeUndefined();
    expect(csv.decode('   ')).toBeUndefined();
  });

  it('accepts columns in any order, upper case, a BOM, and the optional id and ts', () => {
    const d = decoder('\uFEFFEX_DATE,Symbol,Action,ID,ts');
    expect(d.decode('2024-06-10,NVDA,split,n-1,2024-05-22T20:00:00Z')).toEqual({ kind: 'action', raw: { type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', id: 'n-1', ts: '2024-05-22T20:00:00Z' } });
  });

  it.each([
    ['NVDA,split,2024-06-10,10', 'parse_error', 'expected 5 columns, got 4'],
    ['NVDA,"split,2024-06-10,10,', 'parse_error', 'unterminated quote'],
    ['NVDA,merger,2024-06-10,,', 'invalid_tick', 'action: expected split, reverse_split, dividend, got "merger"'],
    ['NVDA,,2024-06-10,,', 'invalid_tick', 'action: expected split, reverse_split, dividend, got undefined'],
  ])('%s is a reject (%s)', (line, reason, message) => {
    expect(csv.decode(line)).toEqual({ kind: 'reject', reason, message });
  });

  it.each([
    ['date,symbol,close', 'unknown column date'],
    ['symbol,action,ratio', 'missing column ex_date'],
    ['symbol,action,ex_date,symbol', 'a column appears twice'],
    ['"symbol,action', 'unreadable header'],
  ])('header %s is not an actions file', (header, why) => {
    const r = actionFileDecoder(header, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(new RegExp(`: ${why}$`));
  });
});

describe('actionFileDecoder: NDJSON', () => {
  const first = '{"symbol":"NVDA","action":"split","exDate":"2024-06-10","ratio":10}';
  const nd = decoder(first);

  it('decodes the CorporateAction shape without v and source; the first line is a record too', () => {
    expect(nd).toMatchObject({ format: 'ndjson', headerConsumed: false });
    expect(nd.decode(first)).toEqual({ kind: 'action', raw: { type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, ts: NOW } });
    const full = '{"v":1,"type":"corporate_action","symbol":"SPY","action":"dividend","exDate":"2024-06-21","amount":1.7588,"id":"d-1","ts":1718000000000}';
    expect(nd.decode(full)).toEqual({ kind: 'action', raw: { type: 'corporate_action', symbol: 'SPY', action: 'dividend', exDate: '2024-06-21', amount: 1.7588, id: 'd-1', ts: 1718000000000 } });
    expect(nd.decode('')).toBeUndefined();
  });

  it.each([
    ['{"symbol":"NVDA",', 'parse_error', /^not JSON: /],
    ['[1,2]', 'parse_error', /^expected a JSON object$/],
    ['{"symbol":"NVDA","action":"split","exDate":"2024-06-10","ratio":10,"source":"alpaca"}', 'invalid_tick', /^unknown key "source" \(a file's actions are published with source "replay"\)$/],
    ['{"symbol":"NVDA","action":"split","exDate":"2024-06-10","rate":10}', 'invalid_tick', /^unknown key "rate"$/],
    ['{"type":"cancel","symbol":"NVDA","action":"split","exDate":"2024-06-10"}', 'invalid_tick', /^type: expected "corporate_action", got "cancel"$/],
    ['{"v":2,"symbol":"NVDA","action":"split","exDate":"2024-06-10"}', 'invalid_tick', /^v: expected 1, got 2$/],
    ['{"symbol":"NVDA","action":"Split","exDate":"2024-06-10"}', 'invalid_tick', /^action: expected split, reverse_split, dividend, got "Split"$/],
  ])('%s is a reject (%s)', (line, reason, message) => {
    const r = nd.decode(line);
    expect(r).toMatchObject({ kind: 'reject', reason });
    expect(r?.kind === 'reject' && r.message).toMatch(message);
  });
});
