import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import type { SequencedAlert } from '../core/alert-log.js';
import { AlertSequencer } from '../core/alert-sequencer.js';
import type { HistoryReader } from '../core/history-reader.js';
import { Pool } from '../core/pool.js';
import { createMetrics } from './metrics.js';
import { ReconciledAlertFeed } from './reconciled-alert-feed.js';
import { testAlert } from '../core/test-alerts.js';

const alert = (seq: number): SequencedAlert => testAlert(seq);
const record = (seq: number) => Buffer.from(JSON.stringify(alert(seq)));

/** A feed over an in-memory history holding `stored`; `failing` makes every read throw. */
function setup(stored: number[], o: { failing?: boolean } = {}) {
  const history: HistoryReader = {
    position: async () => ({ epoch: 'e1', head: stored.at(-1) ?? 0 }),
    tail: async () => [],
    snapshot: async () => undefined,
    range: async (from, to, count) => {
      if (o.failing) throw new Error('redis down');
      return stored.filter((s) => s >= from && s <= (to ?? Infinity)).slice(0, count).map(alert);
    },
  };
  const sequencer = new AlertSequencer({ memoryAlerts: 10, maxReplay: 100, recentAlerts: 5 });
  sequencer.reset({ epoch: 'e1', head: 0 }, []);
  const metrics = createMetrics();
  const handed: Array<number | 'restart'> = [];
  const sink = {
    forward: (a: SequencedAlert) => {
      sequencer.forward(a);
      handed.push(a.seq);
    },
    restart: async () => void handed.push('restart'),
  };
  const feed = new ReconciledAlertFeed({ history, sequencer, reads: new Pool(1), pageSize: 2, sink, metrics, logger: silentLogger() });
  const count = async (m: { get(): Promise<{ values: Array<{ value: number }> }> }) => (await m.get()).values.reduce((n, v) => n + v.value, 0);
  return { feed, handed, metrics, count };
}

describe('ReconciledAlertFeed', () => {
  it.each<[string, number[], number[], number[], { duplicates: number; unfilled: number }]>([
    ['records in order', [1, 2, 3], [1, 2, 3], [1, 2, 3], { duplicates: 0, unfilled: 0 }],
    ['a redelivered record goes on once', [1, 2, 3], [1, 2, 2, 1, 3], [1, 2, 3], { duplicates: 2, unfilled: 0 }],
    ['a seq Kafka skipped is read from history first', [1, 2, 3, 4], [1, 4], [1, 2, 3, 4], { duplicates: 0, unfilled: 0 }],
    ['a long gap is read in pages, the late records are duplicates', [1, 2, 3, 4, 5, 6], [6, 3, 5], [1, 2, 3, 4, 5, 6], { duplicates: 2, unfilled: 0 }],
    ['history trimmed under the gap: what it has, then the record', [3], [1, 4], [1, 3, 4], { duplicates: 0, unfilled: 1 }],
  ])('%s', async (_name, stored, offered, expected, m) => {
    const { feed, handed, metrics, count } = setup(stored);
    for (const seq of offered) await feed.offer(record(seq));
    expect(handed).toEqual(expected);
    expect(await count(metrics.alertDuplicates)).toBe(m.duplicates);
    expect(await count(metrics.alertGapsUnfilled)).toBe(m.unfilled);
  });

  it('a history read that fails still hands the record on (the gap shows through prevSeq)', async () => {
    const { feed, handed, metrics, count } = setup([1, 2, 3], { failing: true });
    await feed.offer(record(3));
    expect(handed).toEqual([3]);
    expect(await count(metrics.alertGapsUnfilled)).toBe(1);
  });

  it('the probe brings what history has and Kafka has not delivered; an epoch change restarts in line', async () => {
    const { feed, handed } = setup([1, 2, 3]);
    await feed.reconcile({ epoch: 'e1', head: 3 });
    await feed.reconcile({ epoch: 'e1', head: 3 });
    const first = feed.offer(record(4));
    const restart = feed.reconcile({ epoch: 'e2', head: 0 });
    await Promise.all([first, restart, feed.idle()]);
    expect(handed).toEqual([1, 2, 3, 4, 'restart']);
  });

  it('skips records that are not alerts or carry no seq', async () => {
    const { feed, handed, metrics, count } = setup([]);
    const { seq: _seq, ...unsequenced } = alert(1);
    for (const value of [null, Buffer.from('{"not":"an alert"'), Buffer.from(JSON.stringify(unsequenced))]) await feed.offer(value);
    expect(handed).toEqual([]);
    expect(await count(metrics.badRecords)).toBe(3);
  });
});
