import { describe, expect, it } from 'vitest';
import { Alert, ClientCommand, DeadLetter, ServerMessage, Snapshot, Tick, topicNames } from './index.js';
import { render } from './export-json-schema.js';

describe('Tick', () => {
  const good = { v: 1, symbol: 'IWM', price: 221.37, size: 100, ts: 1_732_369_200_000, source: 'replay' };
  it('accepts a normalized tick', () => {
    expect(Tick.parse(good)).toEqual(good);
  });
  it.each([
    [{ ...good, price: 0 }, 'price'],
    [{ ...good, price: Number.POSITIVE_INFINITY }, 'price'],
    [{ ...good, size: -1 }, 'size'],
    [{ ...good, symbol: 'iwm' }, 'symbol'],
    [{ ...good, ts: 1.5 }, 'ts'],
    [{ ...good, source: 'fax' }, 'source'],
    [{ ...good, extra: 1 }, ''],
  ])('rejects %j at %s', (value, path) => {
    const r = Tick.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('Alert and DeadLetter', () => {
  it('round-trips an alert', () => {
    const a = {
      id: 'a_3f9c0d', kind: 'size_regime_change', severity: 'warning', subject: 'IWM/SPY', window: '7d',
      eventTime: '2024-03-08T21:00:00.000Z', message: 'Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp)',
      metrics: { spreadPp: 3.97 }, seq: 7,
    };
    expect(Alert.parse(JSON.parse(JSON.stringify(a)))).toEqual(a);
  });
  it('bounds the raw text of a dead letter', () => {
    const r = DeadLetter.safeParse({ v: 1, reason: 'parse_error', message: 'x', source: 'replay', origin: {}, raw: 'x'.repeat(9000), at: 0 });
    expect(r.success).toBe(false);
  });
});

describe('websocket messages', () => {
  it.each([
    [{ op: 'subscribe', id: 'r1', channels: ['alerts', 'spreads', 'alerts:leadership_change'], resume: { alerts: 41 } }, true],
    [{ op: 'subscribe', id: 'r1', channels: ['alerts:nope'] }, false],
    [{ op: 'subscribe', id: 'r1', channels: [] }, false],
    [{ op: 'unsubscribe', id: 'r2', channels: ['rrg'] }, true],
    [{ op: 'ping', id: 'r3' }, true],
    [{ op: 'dance', id: 'r4' }, false],
  ])('client command %j valid=%s', (value, ok) => {
    expect(ClientCommand.safeParse(value).success).toBe(ok);
  });
  it('accepts a server error frame and rejects an unknown type', () => {
    expect(ServerMessage.safeParse({ type: 'error', id: 'r1', code: 'bad_json', message: 'x', retryable: false }).success).toBe(true);
    expect(ServerMessage.safeParse({ type: 'mystery' }).success).toBe(false);
  });
});

describe('Snapshot', () => {
  it('accepts an empty snapshot', () => {
    const s = { asOf: null, returns: {}, spreads: [], sectors: [], rrg: [], breadth: { sectorsBeatingBenchmarkPct: null, sectorsLeadingOrImprovingPct: null, constituents: null } };
    expect(Snapshot.parse(s)).toEqual(s);
  });
});

describe('topics and JSON Schema export', () => {
  it('prefixes topics with the namespace', () => {
    expect(topicNames('staging')).toEqual({ ticks: 'staging.ticks', ticksDlq: 'staging.ticks.dlq', alerts: 'staging.alerts', snapshots: 'staging.snapshots', rules: 'staging.rules' });
  });
  it('exports one JSON Schema per registered message', () => {
    const files = render();
    expect([...files.keys()].sort()).toEqual(['alert.json', 'corporate-action.json', 'dead-letter.json', 'history-page.json', 'lane-watermark.json', 'rrg-history-entry.json', 'rule-patch.json', 'rule-record.json', 'rule-view.json', 'rule.json', 'snapshot-record.json', 'snapshot.json', 'tick.json', 'trade-cancel.json', 'trade-correction.json', 'window-history-entry.json', 'ws-client-command.json', 'ws-server-message.json']);
    const tick = JSON.parse(files.get('tick.json')!) as { required: string[] };
    expect(tick.required).toEqual(expect.arrayContaining(['v', 'symbol', 'price', 'ts', 'source']));
  });
});
