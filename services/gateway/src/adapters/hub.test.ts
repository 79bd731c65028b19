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
import { Connection } from './connection.js';
import { Hub } from './hub.js';
import { createMetrics } from './metrics.js';
import type { RedisStore } from './redis-store.js';

const alert = (seq: number): SequencedAlert => ({
  id: `a${seq}`,
  kind: 'spread_zscore',
  severity: 'info',
  subject: 'IWM/SPY',
  eventTime: '2024-03-08T21:00:00.000Z',
  message: `alert ${seq}`,
  metrics: {},
  seq,
});
const record = (a: Alert) => Buffer.from(JSON.stringify(a));

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function setup(history: SequencedAlert[]) {
  const reads: Array<ReturnType<typeof deferred<{ alerts: SequencedAlert[]; head: number }>>> = [];
  const store = {
    position: async () => ({ epoch: 'e1', head: history.at(-1)?.seq ?? 0 }),
    tail: async (n: number) => history.slice(-n),
    snapshot: async () => undefined,
    range: async (from: number, to: number | undefined) => history.filter((a) => a.seq >= from && a.seq <= (to ?? Infinity)),
    rangeWithHead: () => {
      const d = deferred<{ alerts: SequencedAlert[]; head: number }>();
      reads.push(d);
      return d.promise;
    },
  } as unknown as RedisStore;
  const metrics = createMetrics();
  const hub = new Hub({ store, metrics, logger: silentLogger(), instance: 't', heartbeatMs: 1000, maxSubscriptions: 8, maxCommandBytes: 4096, memoryAlerts: 2, maxReplay: 100, recentAlerts: 5 });
  const sent: ServerMessage[] = [];
  const ws = {
    bufferedAmount: 0,
    send: (buf: Buffer, _o: unknown, cb: (e?: Error) => void) => {
      sent.push(ServerMessage.parse(JSON.parse(buf.toString())));
      queueMicrotask(() => cb());
    },
    close: () => undefined,
    terminate: () => undefined,
  } as unknown as WebSocket;
  const conn = new Connection(ws, 'test', { maxBufferBytes: 1 << 20, highWaterBytes: 1 << 16, limiter: { ratePerSec: 100 }, metrics, logger: silentLogger() });
  hub.attach(conn);
  const command = (c: unknown) => hub.onFrame(conn, Buffer.from(JSON.stringify(c)), false);
  const seqs = () => sent.filter((m) => m.type === 'event').map((m) => (m as { seq: number }).seq);
  return { hub, reads, sent, command, seqs };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('Hub resume from history', () => {
  it('merges live alerts that arrive during the history read: no gap, no duplicate, in order', async () => {
    const history = Array.from({ length: 10 }, (_, i) => alert(i + 1));
    const { hub, reads, command, seqs } = setup(history);
    await hub.load(); // memory holds only the last 2: a resume from 3 needs history
    command({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 3 } });
    expect(reads).toHaveLength(1);
    // Live alerts 11 and 12 are forwarded while the read is in flight; Redis already has 11.
    await hub.onAlertRecord(record(alert(11)));
    await hub.onAlertRecord(record(alert(12)));
    expect(seqs()).toEqual([]);
    reads[0]!.resolve({ alerts: [...history.slice(3), alert(11)], head: 11 });
    await flush();
    await hub.onAlertRecord(record(alert(13)));
    await flush();
    expect(seqs()).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('answers history_unavailable (retryable) and leaves the channel unsubscribed when the read fails', async () => {
    const history = Array.from({ length: 10 }, (_, i) => alert(i + 1));
    const { hub, reads, command, sent, seqs } = setup(history);
    await hub.load();
    command({ op: 'subscribe', id: 'r', channels: ['alerts'], resume: { alerts: 3 } });
    reads[0]!.reject(new Error('redis down'));
    await flush();
    expect(sent.at(-1)).toMatchObject({ type: 'error', id: 'r', code: 'history_unavailable', retryable: true });
    await hub.onAlertRecord(record(alert(11)));
    await flush();
    expect(seqs()).toEqual([]);
    expect(hub.registry.subscribers('alerts').size).toBe(0);
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
