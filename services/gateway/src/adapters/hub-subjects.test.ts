/**
 * Subject-scoped channels in the hub: only the alerts and rows about the subject, one encoded
 * frame per channel shared by every subscriber of it, and each channel its own prevSeq chain.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import { ServerMessage, type Alert, type SnapshotRecord } from '@rotation/schemas';
import type { SequencedAlert } from '../core/alert-log.js';
import type { HistoryReader } from '../core/history-reader.js';
import { Connection, type FrameSocket } from './connection.js';
import { Hub } from './hub.js';
import { createMetrics } from './metrics.js';
import { testAlert } from '../core/test-alerts.js';

const alert = (seq: number, subject: string, kind: Alert['kind'] = 'spread_zscore'): SequencedAlert => testAlert(seq, { subject, kind, message: `alert ${seq} about ${subject}` });
const spread = (pair: string, spreadPp: number) => {
  const [small, large] = pair.split('/') as [string, string];
  return { pair, small, large, window: '1d' as const, smallReturnPct: 1, largeReturnPct: 0.5, spreadPp, ratio: 100, zScore: null };
};
const snapshotRecord = (version: number): SnapshotRecord => ({
  v: 1,
  version,
  snapshot: {
    asOf: '2024-03-08T21:00:00.000Z',
    returns: {},
    spreads: [spread('IWM/SPY', version), spread('QQQ/SPY', -version)],
    sectors: [],
    rrg: [
      { symbol: 'XLK', rsRatio: 101, rsMomentum: 100, quadrant: 'leading', warm: true, tail: [] },
      { symbol: 'XLU', rsRatio: 98, rsMomentum: 99, quadrant: 'lagging', warm: true, tail: [] },
    ],
    breadth: { window: '1d', sectorsBeatingBenchmarkPct: 50, sectorsLeadingOrImprovingPct: 50, constituents: null },
  },
});

function setup() {
  const store: HistoryReader = { position: async () => ({ epoch: 'e1', head: 0 }), tail: async () => [], snapshot: async () => undefined, range: async () => [] };
  const metrics = createMetrics();
  const hub = new Hub({ store, metrics, logger: silentLogger(), instance: 't', heartbeatMs: 1000, maxSubscriptions: 8, maxCommandBytes: 4096, memoryAlerts: 50, maxReplay: 100, recentAlerts: 5, historyPageSize: 10, historyReads: 2, stallMs: 1000 });
  const client = () => {
    const raw: Buffer[] = [];
    const socket: FrameSocket = {
      readyState: 1,
      CLOSED: 3,
      bufferedAmount: 0,
      send: (buf, _o, cb) => {
        raw.push(buf);
        queueMicrotask(() => cb());
      },
      close: () => undefined,
      terminate: () => undefined,
      ping: () => undefined,
      once: () => undefined,
    };
    const conn = new Connection(socket, 'test', { maxBufferBytes: 1 << 20, highWaterBytes: 1 << 16, limiter: { ratePerSec: 100 }, metrics, logger: silentLogger() });
    hub.attach(conn);
    const messages = () => raw.map((b) => ServerMessage.parse(JSON.parse(b.toString())));
    const events = (channel: string) => raw.filter((_, i) => { const m = messages()[i]!; return m.type === 'event' && m.channel === channel; });
    return { conn, raw, messages, events, subscribe: (channels: string[], resume?: Record<string, number>) => hub.onFrame(conn, Buffer.from(JSON.stringify({ op: 'subscribe', id: 's', channels, ...(resume ? { resume } : {}) })), false) };
  };
  return { hub, client };
}

const record = (a: Alert) => Buffer.from(JSON.stringify(a));
const flush = () => new Promise((r) => setTimeout(r, 0));
const parse = (b: Buffer) => ServerMessage.parse(JSON.parse(b.toString()));

describe('Hub subject-scoped channels', () => {
  it('sends only the alerts about the subject, one shared frame per channel, each channel its own prevSeq', async () => {
    const { hub, client } = setup();
    await hub.load();
    const a = client();
    const b = client();
    a.subscribe(['alerts@IWM/SPY', 'alerts@SPY', 'alerts:rrg_quadrant_change@XLK']);
    b.subscribe(['alerts@IWM/SPY']);
    for (const al of [alert(1, 'IWM/SPY'), alert(2, 'QQQ/SPY'), alert(3, 'XLK', 'rrg_quadrant_change'), alert(4, 'XLU', 'rrg_quadrant_change'), alert(5, 'IWM/SPY')]) await hub.onAlertRecord(record(al));
    await flush();
    const seqs = (c: ReturnType<typeof client>, ch: string) => c.events(ch).map((f) => parse(f)).map((m) => m.type === 'event' && [m.seq, m.prevSeq]);
    expect(seqs(a, 'alerts@IWM/SPY')).toEqual([[1, 0], [5, 1]]);
    expect(seqs(a, 'alerts@SPY')).toEqual([[1, 0], [2, 1], [5, 2]]);
    expect(seqs(a, 'alerts:rrg_quadrant_change@XLK')).toEqual([[3, 0]]);
    // The same Buffer, not an equal copy: encoded once for both subscribers.
    expect(b.events('alerts@IWM/SPY')).toHaveLength(2);
    b.events('alerts@IWM/SPY').forEach((buf, i) => expect(buf).toBe(a.events('alerts@IWM/SPY')[i]));
  });

  it('a scoped alert channel\'s snapshot holds the recent alerts about it, and a resume replays only those', async () => {
    const { hub, client } = setup();
    await hub.load();
    for (const al of [alert(1, 'IWM/SPY'), alert(2, 'QQQ/SPY'), alert(3, 'IWM/SPY'), alert(4, 'XLK', 'rrg_quadrant_change'), alert(5, 'IWM/SPY')]) await hub.onAlertRecord(record(al));
    const fresh = client();
    fresh.subscribe(['alerts@IWM/SPY']);
    await flush();
    const snap = fresh.messages().find((m) => m.type === 'snapshot')!;
    expect(snap.type === 'snapshot' && (snap.data as Alert[]).map((x) => x.seq)).toEqual([1, 3, 5]);
    const resumed = client();
    resumed.subscribe(['alerts@IWM/SPY'], { 'alerts@IWM/SPY': 1 });
    await flush();
    await flush();
    expect(resumed.events('alerts@IWM/SPY').map(parse).map((m) => m.type === 'event' && [m.seq, m.prevSeq])).toEqual([[3, 1], [5, 3]]);
  });

  it('scoped state channels carry only the rows about the subject, one shared frame per changed version', async () => {
    const { hub, client } = setup();
    await hub.load();
    hub.onSnapshotRecord(record(snapshotRecord(1) as unknown as Alert));
    const a = client();
    const b = client();
    a.subscribe(['spreads@IWM/SPY', 'rrg@XLK', 'spreads@SPY']);
    b.subscribe(['spreads@IWM/SPY']);
    await flush();
    const snapshot = a.messages().find((m) => m.type === 'snapshot' && m.channel === 'spreads@IWM/SPY');
    expect(snapshot).toMatchObject({ seq: 1, data: [{ pair: 'IWM/SPY', spreadPp: 1 }] });
    hub.onSnapshotRecord(record(snapshotRecord(2) as unknown as Alert));
    await flush();
    const [event] = a.events('spreads@IWM/SPY');
    expect(parse(event!)).toMatchObject({ type: 'event', seq: 2, prevSeq: 1, data: [{ pair: 'IWM/SPY', spreadPp: 2 }] });
    expect(b.events('spreads@IWM/SPY')[0]).toBe(event);
    // XLK's RRG point is the same in version 2: no event, the snapshot still holds.
    expect(a.events('rrg@XLK')).toEqual([]);
    expect(a.messages().find((m) => m.type === 'snapshot' && m.channel === 'rrg@XLK')).toMatchObject({ data: [{ symbol: 'XLK' }] });
    expect(parse(a.events('spreads@SPY')[0]!)).toMatchObject({ data: [{ pair: 'IWM/SPY' }, { pair: 'QQQ/SPY' }] });
  });
});
