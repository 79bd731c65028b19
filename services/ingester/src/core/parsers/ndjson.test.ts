import { describe, expect, it } from 'vitest';
import { decodeNdjsonLine, joinNanos } from './ndjson.js';

describe('NDJSON as a recorded ticks topic', () => {
  it('keeps conditions, eligibility and sub-millisecond time of a Tick record; ignores v, source, sourceMaxTs', () => {
    const text = JSON.stringify({ v: 1, symbol: 'NVDA', price: 36.18, size: 31, ts: 1_732_369_200_000, tsNanos: 1_500, source: 'alpaca', id: 'D-1', conditions: ['@', 'I'], eligibility: { last: false, volume: true, reason: 'odd_lot' }, sourceMaxTs: 1_732_369_200_001 });
    expect(decodeNdjsonLine(text, 2)).toEqual({
      kind: 'quote',
      raw: { symbol: 'NVDA', price: 36.18, size: 31, ts: '2024-11-23T13:40:00.000001500Z', id: 'D-1', conditions: ['@', 'I'], eligibility: { last: false, volume: true, reason: 'odd_lot' } },
      line: 2,
      seq: 2,
      text,
    });
  });

  it.each([
    [
      { type: 'cancel', symbol: 'NVDA', ts: 1_732_369_200_000, id: 'D-4868', price: 36.18, size: 31800, action: 'cancel' },
      { type: 'cancel', symbol: 'NVDA', ts: 1_732_369_200_000, id: 'D-4868', price: 36.18, size: 31800, action: 'cancel' },
    ],
    [
      { type: 'correction', symbol: 'AAPL', ts: 1_611_743_734_828, id: 'Q-1532', price: 144.6, conditions: ['@'], corrected: { id: 'Q-1533', price: 144.46, size: 25, eligibility: { last: true, volume: true } } },
      { type: 'correction', symbol: 'AAPL', ts: 1_611_743_734_828, id: 'Q-1532', price: 144.6, size: undefined, conditions: ['@'], corrected: { id: 'Q-1533', price: 144.46, size: 25, eligibility: { last: true, volume: true } } },
    ],
    [
      { v: 1, type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, source: 'alpaca', ts: 1_717_000_000_000 },
      { type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: 10, amount: undefined, id: undefined, ts: 1_717_000_000_000 },
    ],
  ])('hands %j to the sink as an event', (line, raw) => {
    expect(decodeNdjsonLine(JSON.stringify(line), 3)).toEqual({ kind: 'event', raw, line: 3, seq: 3, text: JSON.stringify(line) });
  });

  it('joins tsNanos of a cancel into its time', () => {
    const d = decodeNdjsonLine(JSON.stringify({ type: 'cancel', symbol: 'A', ts: 1_704_209_400_000, tsNanos: 7, id: 'x', price: 1 }), 1);
    expect(d).toMatchObject({ kind: 'event', raw: { ts: '2024-01-02T15:30:00.000000007Z' } });
  });

  it.each([
    ['{"type":"trade","symbol":"A"}', 'parse_error', 'type: expected "cancel", "correction" or "corporate_action" (or no type for a tick), got "trade"'],
    ['{"type":"correction","symbol":"A","ts":1,"id":"x","price":1}', 'parse_error', 'corrected: expected an object with the corrected print'],
    ['{"symbol":"A","price":1,"ts":1704209400000,"tsNanos":1.5}', 'invalid_tick', 'tsNanos: expected an integer 0..999999, got 1.5'],
    ['{"symbol":"A","price":1,"ts":"2024-01-02T15:30:00Z","tsNanos":5}', 'invalid_tick', 'tsNanos: only beside ts in epoch milliseconds'],
    ['{"v":1,"watermark":1704209408000,"source":"replay","final":true}', 'parse_error', 'a watermark record, not a tick: a replay ends its stream with a watermark of its own'],
  ])('%s is refused: %s', (text, reason, message) => {
    expect(decodeNdjsonLine(text, 9)).toEqual({ kind: 'reject', reason, message, line: 9, seq: 9, text });
  });

  it('leaves an impossible ts for the normaliser to name', () => {
    expect(joinNanos(-5, 3)).toEqual({ ok: true, ts: -5 });
    expect(joinNanos('1704209400000', 0)).toEqual({ ok: true, ts: '2024-01-02T15:30:00.000000000Z' });
  });
});
