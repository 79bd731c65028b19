/**
 * Interleavings the integration tests cannot force on a real Redis: live alerts arriving while
 * a resume is still reading history, and a history read that fails. The store is a stand-in
 * whose reads resolve when the test says so; the socket is a recorder.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { silentLogger } from '@rotation/log';
import { ServerMessage, type Alert } from '@rotation/schemas';
import type { SequencedAlert } from '../core/alert-log.js';
import type { HistoryReader } from '../core/history-reader.js';
import { Connection } from './connection.js';
import { Hub } from './hub.js';
import { createMetrics } from './metrics.js';
import { testAlert } from '../core/test-alerts.js';

const alert = (seq: number): SequencedAlert => testAlert(seq);
const record = (a: Alert) => Buffer.from(JSON.stringify(a));

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

interface Read {
  from: number;
  to: number;
  count: number;
  resolve: (v: SequencedAlert[]) => void;
  reject: (e: Error) => void;
}

/**
 * `deferHistory`: range reads wait for the test (reads[]), as a replay's pages do; otherwise
 * they answer from `history` at once. `reading: false` is a client that never reads: the
 * socket takes frames and never reports them written.
 */
function setup(history: SequencedAlert[], o: { deferHistory?: boolean; reading?: boolean; maxBufferBytes?: number; stallMs?: number } = {}) {
  const reads: Read[] = [];
  const counts: number[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  let epoch = 'e1';
  const store: HistoryReader = {
    position: async () => ({ epoch, head: history.at(-1)?.seq ?? 0 }),
    tail: async (n: number) => history.slice(-n),
    snapshot: async () => undefined,
    range: async (from: number, to: number | undefined, count: number) => {
      counts.push(count);
      const found = history.filter((a) => a.seq >= from && a.seq <= (to ?? Infinity)).slice(0, count);
      if (!o.deferHistory) return found;
      const d = deferred<SequencedAlert[]>();
      reads.push({ from, to: to ?? Infinity, count, resolve: d.resolve, reject: d.reject });
      peakInFlight = Math.max(peakInFlight, ++inFlight);
      return d.promise.finally(() => inFlight--);
    },
  };
  const metrics = createMetrics();
  const hub = new Hub({
    store,
    metrics,
    logger: silentLogger(),
    instance: 't',
    heartbeatMs: 1000,
    maxSubscriptions: 8,
    maxCommandBytes: 4096,
    memoryAlerts: 2,
    maxReplay: 100,
    recentAlerts: 5,
    historyPageSize: 3,
    historyReads: 2,
    stallMs: o.stallMs ?? 1000,
    aheadWaitMs: 150,
  });
  const sent: ServerMessage[] = [];
  let closedWith: number | undefined;
  const ws = {
    bufferedAmount: 0,
    send: (buf: Buffer, _o: unknown, cb: (e?: Error) => void) => {
      sent.push(ServerMessage.parse(JSON.parse(buf.toString())));
      if (o.reading !== false) queueMicrotask(() => cb());
    },
    close: (code: number) => void (closedWith = code),
    terminate: () => undefined,
  } as unknown as WebSocket;
  const conn = new Connection(ws, 'test', { maxBufferBytes: o.maxBufferBytes ?? 1 << 20, highWaterBytes: 1 << 16, limiter: { ratePerSec: 100 }, metrics, logger: silentLogger() });
  hub.attach(conn);
  const command = (c: unknown) => hub.onFrame(conn, Buffer.from(JSON.stringify(c)), false);
  const seqs = () => sent.filter((m) => m.type === 'event').map((m) => (m as { seq: number }).seq);
  /** Answers every history read from `history` as it comes, until the replay stops asking. */
  const serveReads = async () => {
    for (let i = 0; i < 50; i++) {
      await flush();
      for (const r of reads.splice(0)) r.resolve(history.filter((a) => a.seq >= r.from && a.seq <= r.to).slice(0, r.count));
    }
  };
  const setEpoch = (e: string) => void (epoch = e);
  return { hub, conn, metrics, reads, counts, sent, setEpoch, command, seqs, serveReads, peak: () => peakInFlight, closedWith: () => closedWith };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('Hub resume from history', () => {
  it('merges live alerts that arrive during a paged history read: no gap, no duplicate, in order', async () => {
    const history = Array.from({ length: 10 }, (_, i) => alert(i + 1));
    const { hub, reads, command, seqs, serveReads } = setup(history, { deferHistory: true });
    await hub.load(); // memory holds only the last 2: a resume from 3 needs history
    command({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 3 } });
    await flush();
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ from: 4, to: 6, count: 3 });
    // Live alerts 11 and 12 are forwarded while the read is in flight; Redis already has 11.
    history.push(alert(11), alert(12));
    await hub.onAlertRecord(record(alert(11)));
    await hub.onAlertRecord(record(alert(12)));
    expect(seqs()).toEqual([]);
    await serveReads();
    await hub.onAlertRecord(record(alert(13)));
    await flush();
    expect(seqs()).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('reads history in pages, one read in flight per connection', async () => {
    const history = Array.from({ length: 20 }, (_, i) => alert(i + 1));
    const { hub, reads, command, seqs, serveReads, peak } = setup(history, { deferHistory: true });
    await hub.load();
    command({ op: 'subscribe', id: 'r', channels: ['alerts', 'alerts:spread_zscore'], resume: { alerts: 1, 'alerts:spread_zscore': 1 } });
    await serveReads();
    expect(peak()).toBe(1);
    expect(reads).toHaveLength(0);
    expect(seqs()).toEqual([...Array.from({ length: 19 }, (_, i) => i + 2), ...Array.from({ length: 19 }, (_, i) => i + 2)]);
  });

  it('an unsubscribe stops the replay in progress; the next resume replays from its own position', async () => {
    const history = Array.from({ length: 20 }, (_, i) => alert(i + 1));
    const { hub, reads, command, seqs, serveReads } = setup(history, { deferHistory: true });
    await hub.load();
    command({ op: 'subscribe', id: 'r1', channels: ['alerts'], resume: { alerts: 1 } });
    await flush();
    command({ op: 'unsubscribe', id: 'u', channels: ['alerts'] });
    command({ op: 'subscribe', id: 'r2', channels: ['alerts'], resume: { alerts: 15 } });
    await serveReads();
    expect(reads).toHaveLength(0);
    expect(seqs()).toEqual([16, 17, 18, 19, 20]);
  });

  it('an epoch change stops a replay in progress: resync, and nothing of the old epoch after it', async () => {
    const history = Array.from({ length: 20 }, (_, i) => alert(i + 1));
    const { hub, command, sent, seqs, serveReads, setEpoch } = setup(history, { deferHistory: true });
    await hub.load();
    command({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 1 } });
    await flush();
    setEpoch('e2');
    await hub.probe();
    await serveReads();
    expect(sent.filter((m) => m.type === 'resync')).toMatchObject([{ channel: 'alerts', reason: 'epoch_changed' }]);
    expect(seqs()).toEqual([]);
  });

  it('answers a resume at or above the head without reading Redis', async () => {
    const history = Array.from({ length: 10 }, (_, i) => alert(i + 1));
    const { hub, reads, command, sent } = setup(history, { deferHistory: true });
    await hub.load();
    command({ op: 'subscribe', id: 'a', channels: ['alerts'], resume: { alerts: 10 } });
    command({ op: 'subscribe', id: 'b', channels: ['alerts:spread_zscore'], resume: { 'alerts:spread_zscore': 1_000_000 } });
    await new Promise((r) => setTimeout(r, 400));
    expect(reads).toHaveLength(0);
    expect(sent.at(-1)).toMatchObject({ type: 'resync', channel: 'alerts:spread_zscore', reason: 'ahead_of_history' });
  });

  it('a client slightly ahead of this instance goes live once the head gets there, with no resync', async () => {
    const history = Array.from({ length: 10 }, (_, i) => alert(i + 1));
    const { hub, reads, command, sent, seqs } = setup(history, { deferHistory: true });
    await hub.load();
    command({ op: 'subscribe', id: 'a', channels: ['alerts'], resume: { alerts: 12 } });
    for (const seq of [11, 12, 13]) await hub.onAlertRecord(record(alert(seq)));
    await new Promise((r) => setTimeout(r, 300));
    expect(reads).toHaveLength(0);
    expect(sent.some((m) => m.type === 'resync')).toBe(false);
    expect(seqs()).toEqual([13]);
  });

  it('closes a client that never reads as a slow consumer (4008) instead of holding its replays', async () => {
    const history = Array.from({ length: 30 }, (_, i) => alert(i + 1));
    // Each frame is ~300 bytes: a 3-alert page fills half of a 1 KB budget.
    const { hub, command, metrics, closedWith } = setup(history, { reading: false, maxBufferBytes: 1_000, stallMs: 50 });
    await hub.load();
    for (let i = 0; i < 5; i++) {
      command({ op: 'subscribe', id: `s${i}`, channels: ['alerts'], resume: { alerts: 1 } });
      await flush();
      command({ op: 'unsubscribe', id: `u${i}`, channels: ['alerts'] });
    }
    command({ op: 'subscribe', id: 'last', channels: ['alerts'], resume: { alerts: 1 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(closedWith()).toBe(4008);
    expect((await metrics.slowDisconnects.get()).values[0]?.value).toBe(1);
  });

  it('fills a gap between the forwarded and an incoming seq from history, then drops duplicates', async () => {
    const history = [alert(1), alert(2)];
    const { hub, command, seqs } = setup(history);
    await hub.load();
    command({ op: 'subscribe', id: 's', channels: ['alerts'] });
    // The detector wrote 3..6; this instance's consumer delivers 6 first.
    history.push(alert(3), alert(4), alert(5), alert(6));
    await hub.onAlertRecord(record(alert(6)));
    await hub.onAlertRecord(record(alert(4)));
    await hub.onAlertRecord(record(alert(7)));
    await flush();
    expect(seqs()).toEqual([3, 4, 5, 6, 7]);
  });

  it('fills a long gap in pages, never one read of the whole gap', async () => {
    const history = [alert(1), alert(2)];
    const { hub, command, seqs, counts } = setup(history);
    await hub.load();
    command({ op: 'subscribe', id: 's', channels: ['alerts'] });
    history.push(...Array.from({ length: 10 }, (_, i) => alert(i + 3)));
    await hub.onAlertRecord(record(alert(13)));
    await flush();
    expect(seqs()).toEqual(Array.from({ length: 11 }, (_, i) => i + 3));
    expect(counts).toEqual([3, 3, 3, 1]);
  });

  it('skips records that are not valid alerts or carry no seq', async () => {
    const { hub, command, seqs } = setup([]);
    await hub.load();
    command({ op: 'subscribe', id: 's', channels: ['alerts'] });
    await hub.onAlertRecord(Buffer.from('{"not":"an alert"'));
    const { seq: _seq, ...unsequenced } = alert(1);
    await hub.onAlertRecord(record(unsequenced));
    await hub.onAlertRecord(null);
    await hub.onAlertRecord(record(alert(1)));
    await flush();
    expect(seqs()).toEqual([1]);
  });
});

describe('Hub end-to-end latency metric', () => {
  it('exports event time -> push for every forwarded alert and snapshot, by kind', async () => {
    const { hub, command, metrics } = setup([]);
    await hub.load();
    command({ op: 'subscribe', id: 's', channels: ['alerts', 'spreads'] });
    await hub.onAlertRecord(record(alert(1)));
    const snapshot = {
      asOf: new Date().toISOString(),
      returns: { IWM: { '7d': 3.25 }, SPY: { '7d': -0.72 } },
      spreads: [{ pair: 'IWM/SPY', small: 'IWM', large: 'SPY', window: '7d', smallReturnPct: 3.25, largeReturnPct: -0.72, spreadPp: 3.97, ratio: 101.4, zScore: 1.8 }],
      sectors: [],
      rrg: [],
      breadth: { window: '7d', sectorsBeatingBenchmarkPct: 54.5, sectorsLeadingOrImprovingPct: 45.5, constituents: null },
    };
    hub.onSnapshotRecord(Buffer.from(JSON.stringify({ v: 1, version: 1, snapshot })));
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE gateway_event_to_push_seconds histogram');
    expect(text).toMatch(/gateway_event_to_push_seconds_count\{kind="alert"\} 1\n/);
    expect(text).toMatch(/gateway_event_to_push_seconds_count\{kind="snapshot"\} 1\n/);
    // The snapshot's asOf is now: well inside the top bucket.
    expect(text).toMatch(/gateway_event_to_push_seconds_bucket\{le="1",kind="snapshot"\} 1\n/);
    // The alert's event time is in 2024: it lands in the last finite bucket's overflow, not below a second.
    expect(text).toMatch(/gateway_event_to_push_seconds_bucket\{le="1800",kind="alert"\} 0\n/);
  });
});
