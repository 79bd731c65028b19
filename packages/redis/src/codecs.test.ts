import { describe, expect, it } from 'vitest';
import { Alert, type SnapshotRecord } from '@rotation/schemas';
import { alertHistoryCodec, historyPointCodec, snapshotCodec } from './codecs.js';

const alert = Alert.parse({
  id: 'a7',
  kind: 'spread_zscore',
  severity: 'info',
  subject: 'IWM/SPY',
  eventTime: '2024-03-08T21:00:00.000Z',
  message: 'IWM/SPY 1d spread 2.1 sigma above its mean',
  metrics: { z: 2.1 },
  seq: 7,
});

describe('alertHistoryCodec', () => {
  it('writes an entry that reads back as the same alert with its seq, and keeps the stored JSON for forwarding', () => {
    const fields = alertHistoryCodec.fields(alert);
    expect(alertHistoryCodec.id(7)).toBe('7-0');
    expect(alertHistoryCodec.rawOf(fields)).toBe(JSON.stringify(alert));
    expect(alertHistoryCodec.seqOf('7-0')).toBe(7);
    expect(alertHistoryCodec.decode([alertHistoryCodec.id(7), fields])).toEqual({ ...alert, seq: 7 });
  });

  it('reads nothing from an entry that is not an alert, or that lacks the field', () => {
    expect(alertHistoryCodec.decode(['3-0', ['a', '{"not":"an alert"}']])).toBeUndefined();
    expect(alertHistoryCodec.decode(['3-0', ['a', 'not json']])).toBeUndefined();
    expect(alertHistoryCodec.decode(['3-0', ['x', JSON.stringify(alert)]])).toBeUndefined();
    // A value that happens to equal the field name is not the field.
    expect(alertHistoryCodec.rawOf(['p', 'a', 'a', 'value'])).toBe('value');
  });
});

describe('snapshotCodec and historyPointCodec', () => {
  it('refuse what does not match, and lay history points out by event time', () => {
    expect(snapshotCodec.decode(null)).toBeUndefined();
    expect(snapshotCodec.decode('{"v":1}')).toBeUndefined();
    const record = { v: 1, version: 3 } as unknown as SnapshotRecord;
    expect(snapshotCodec.encode(record)).toBe('{"v":1,"version":3}');
    expect(historyPointCodec.id(1709931600000)).toBe('1709931600000-0');
    expect(historyPointCodec.rawOf(historyPointCodec.fields({ v: 1 }))).toBe('{"v":1}');
  });
});
