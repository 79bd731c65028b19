import { describe, expect, it } from 'vitest';
import { ServerMessage } from '@rotation/schemas';
import type { SequencedAlert } from './alert-log.js';
import { AlertSequencer, type AlertSequencerOptions } from './alert-sequencer.js';
import type { AlertChannel } from './channels.js';
import { testAlert } from './test-alerts.js';

const alert = testAlert;
const run = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => alert(from + i));
const anyone = { owner: 'anonymous', admin: false };

function sequencer(options: Partial<AlertSequencerOptions> = {}, start: { head?: number; tail?: SequencedAlert[] } = {}) {
  const s = new AlertSequencer({ memoryAlerts: 5, maxReplay: 100, recentAlerts: 3, ...options });
  const tail = start.tail ?? [];
  s.reset({ epoch: 'e1', head: start.head ?? tail.at(-1)?.seq ?? 0 }, tail);
  return s;
}
const parse = (buf: Buffer) => ServerMessage.parse(JSON.parse(buf.toString()));
/** [seq, prevSeq] of each event frame. */
const chain = (bufs: Buffer[]) => bufs.map(parse).map((m) => (m.type === 'event' ? [m.seq, m.prevSeq] : m.type));

describe('AlertSequencer', () => {
  it('starts from the history: its head counts as forwarded even beyond the tail read', () => {
    const s = sequencer({}, { head: 12, tail: run(8, 10) });
    expect([s.epoch, s.head, s.log.firstSeq]).toEqual(['e1', 12, undefined]);
    expect(s.arrival(12)).toEqual({ kind: 'duplicate' });
    expect(s.arrival(13)).toEqual({ kind: 'next' });
  });

  it.each<[string, { epoch: string; head: number }, ReturnType<AlertSequencer['observe']>]>([
    ['the same head', { epoch: 'e1', head: 10 }, { kind: 'current' }],
    ['history ahead of Kafka: the missing seqs to fill', { epoch: 'e1', head: 14 }, { kind: 'behind', from: 11, to: 14 }],
    ['history behind this instance (another reader lags)', { epoch: 'e1', head: 7 }, { kind: 'current' }],
    ['a new epoch', { epoch: 'e2', head: 3 }, { kind: 'epoch_changed' }],
  ])('a probe that sees %s', (_name, position, finding) => {
    expect(sequencer({}, { tail: run(6, 10) }).observe(position)).toEqual(finding);
  });

  it('forwards each seq once, whichever path brings it first, and classifies what comes next', () => {
    const s = sequencer({}, { tail: run(1, 2) });
    expect(s.arrival(5)).toEqual({ kind: 'gap', from: 3, to: 4 });
    // The gap fill from the history brings 3, 4 and (already written there) 5 itself.
    expect(run(3, 5).map((a) => s.forward(a) !== undefined)).toEqual([true, true, true]);
    expect(s.forward(alert(5))).toBeUndefined();
    expect(s.forward(alert(4))).toBeUndefined();
    expect(s.arrival(5)).toEqual({ kind: 'duplicate' });
    expect(s.head).toBe(5);
  });

  it('plans a resume from its own head, what the probes saw and what memory holds', () => {
    const s = sequencer({ maxReplay: 8 }, { tail: run(1, 10) });
    expect(s.planResume(10, 'e1')).toEqual({ kind: 'live', minSeq: 10 });
    expect(s.planResume(7, 'e1')).toEqual({ kind: 'memory', fromSeq: 8 });
    expect(s.planResume(3, 'e1')).toEqual({ kind: 'history', fromSeq: 4 });
    expect(s.planResume(1, 'e1')).toEqual({ kind: 'resync', reason: 'too_far_behind' });
    expect(s.planResume(9, 'e0')).toEqual({ kind: 'resync', reason: 'epoch_changed' });
    expect(s.planResume(12, 'e1')).toEqual({ kind: 'ahead', lastSeq: 12 });
    expect(s.reached(12)).toBe(false);
    s.observe({ epoch: 'e1', head: 12 });
    expect(s.reached(12)).toBe(true);
    expect(s.planResume(12, 'e1')).toEqual({ kind: 'live', minSeq: 12 });
  });

  it('chains each subject-scoped channel by its own prevSeq, starting from what memory holds', () => {
    const s = sequencer({ memoryAlerts: 50 });
    const held: AlertChannel[] = ['alerts@IWM/SPY', 'alerts@SPY'];
    s.forward(alert(1, { subject: 'IWM/SPY' }));
    s.forward(alert(2, { subject: 'QQQ/SPY' }));
    const out: Array<[string, unknown]> = [];
    for (const a of [alert(3, { subject: 'IWM/SPY' }), alert(4, { subject: 'XLK', kind: 'rrg_quadrant_change' }), alert(5, { subject: 'QQQ/SPY' })]) {
      s.forward(a);
      for (const f of s.scopedFrames(a, held)) out.push([f.channel, chain([f.buf])[0]]);
    }
    expect(out).toEqual([
      ['alerts@IWM/SPY', [3, 1]],
      ['alerts@SPY', [3, 2]],
      ['alerts@SPY', [5, 3]],
    ]);
  });

  it('forgets the chains of scoped channels nobody holds once there are many', () => {
    const s = sequencer({ memoryAlerts: 1 });
    const many = Array.from({ length: 70 }, (_, i) => `alerts@S${i}` as AlertChannel);
    s.forward(alert(1, { subject: 'S0' }));
    s.scopedFrames(alert(1, { subject: 'S0' }), ['alerts@S0']);
    // 70 channels held once (their chains start), then only S0 stays held.
    for (const [i, ch] of many.entries()) s.scopedFrames(alert(2 + i, { subject: `S${i}` }), [ch]);
    s.scopedFrames(alert(100, { subject: 'S0' }), ['alerts@S0']);
    // S5's chain was forgotten: its next frame starts again from memory (which holds nothing of S5).
    const [again] = s.scopedFrames(alert(101, { subject: 'S5' }), ['alerts@S5']);
    expect(chain([again!.buf])).toEqual([[101, 0]]);
  });

  it('serves a replay page from memory with the shared frames, chained from the client position', () => {
    const s = sequencer({ memoryAlerts: 10 }, { tail: [alert(1), alert(2, { kind: 'breadth_thrust' }), alert(3), alert(4)] });
    const page = { from: 2, to: 4 };
    expect(s.pageSource(page)).toBe('memory');
    const all = s.memoryPage('alerts', page, 1, anyone);
    expect([chain(all.bufs), all.prev]).toEqual([[[2, 1], [3, 2], [4, 3]], 4]);
    expect(all.bufs[0]).toBe(s.log.since(2)![0]!.frames[0]!.buf);
    const kind = s.memoryPage('alerts:spread_zscore', page, 1, anyone);
    expect(chain(kind.bufs)).toEqual([[3, 1], [4, 3]]);
  });

  it.each<[string, { from: number; to: number }, SequencedAlert[], unknown]>([
    ['the page as read, chained from the client position', { from: 4, to: 6 }, run(4, 6), [[[4, 3], [5, 4], [6, 5]], 6]],
    ['trimmed: history starts after the page does', { from: 4, to: 6 }, run(5, 6), 'trimmed'],
    ['trimmed: history holds nothing of it', { from: 4, to: 6 }, [], 'trimmed'],
  ])('a replay page read from the history: %s', (_name, page, alerts, expected) => {
    const s = sequencer({ memoryAlerts: 2 }, { tail: run(1, 10) });
    expect(s.pageSource(page)).toBe('history');
    const got = s.historyPage('alerts', page, alerts, 3, anyone);
    expect(got === 'trimmed' ? got : [chain(got.bufs), got.prev]).toEqual(expected);
  });

  it('a history page of alerts:mine holds only the viewer\'s rule alerts', () => {
    const s = sequencer({ memoryAlerts: 1 }, { tail: run(1, 5) });
    const alerts = [alert(2, { owner: 'alice' }), alert(3, { owner: 'bob' }), alert(4, { owner: 'alice' })];
    const got = s.historyPage('alerts:mine', { from: 2, to: 4 }, alerts, 1, { owner: 'alice', admin: false });
    expect(got !== 'trimmed' && chain(got.bufs)).toEqual([[2, 1], [4, 2]]);
  });

  it('shares an alert channel\'s snapshot until the next alert, except alerts:mine (per owner)', () => {
    const s = sequencer({ recentAlerts: 2 }, { tail: [alert(1), alert(2, { owner: 'alice' }), alert(3)] });
    const first = s.snapshotFrame('alerts', anyone);
    expect(s.snapshotFrame('alerts', anyone)).toBe(first);
    expect(parse(first)).toMatchObject({ type: 'snapshot', seq: 3, data: [{ seq: 1 }, { seq: 3 }] });
    expect(parse(s.snapshotFrame('alerts:mine', { owner: 'alice', admin: false }))).toMatchObject({ data: [{ seq: 2 }] });
    expect(parse(s.snapshotFrame('alerts:mine', { owner: 'bob', admin: false }))).toMatchObject({ data: [] });
    s.forward(alert(4));
    const next = s.snapshotFrame('alerts', anyone);
    expect(next).not.toBe(first);
    expect(parse(next)).toMatchObject({ seq: 4, data: [{ seq: 3 }, { seq: 4 }] });
    expect(parse(s.resyncFrame('alerts', 'history_trimmed', anyone))).toMatchObject({ type: 'resync', seq: 4, reason: 'history_trimmed', data: [{ seq: 3 }, { seq: 4 }] });
  });
});
