import { describe, expect, it } from 'vitest';
import { OutboundBuffer } from './outbound-buffer.js';

const b = (s: string) => Buffer.from(s);
function drain(q: OutboundBuffer): string[] {
  const out: string[] = [];
  for (let f = q.take(); f; f = q.take()) {
    out.push(f.toString());
    q.written(f.byteLength);
  }
  return out;
}

describe('OutboundBuffer', () => {
  it('keeps ordered frames in order', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 100 });
    for (const s of ['a1', 'a2', 'a3']) expect(q.enqueue(b(s))).toBe('queued');
    expect(drain(q)).toEqual(['a1', 'a2', 'a3']);
    expect(q.bufferedBytes).toBe(0);
  });

  it('coalesces a keyed frame to the latest value at its original position', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 100 });
    q.enqueue(b('ack'));
    q.enqueue(b('spreads-v1'), 'spreads');
    q.enqueue(b('alert-1'));
    expect(q.enqueue(b('spreads-v2'), 'spreads')).toBe('coalesced');
    expect(q.bufferedBytes).toBe(3 + 10 + 7);
    expect(drain(q)).toEqual(['ack', 'spreads-v2', 'alert-1']);
  });

  it('stops handing out frames at the high-water mark until the socket flushes', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 4 });
    q.enqueue(b('aaaa'));
    q.enqueue(b('bb'));
    expect(q.take()?.toString()).toBe('aaaa');
    expect(q.take()).toBeUndefined();
    expect(q.inflightBytes).toBe(4);
    q.written(4);
    expect(q.take()?.toString()).toBe('bb');
  });

  it('reports overflow when ordered frames pass maxBytes (in flight counts)', () => {
    const q = new OutboundBuffer({ maxBytes: 10, highWaterBytes: 4 });
    expect(q.enqueue(b('12345'))).toBe('queued');
    q.take(); // 5 in flight, never flushed: the client stopped reading
    expect(q.enqueue(b('12345'))).toBe('queued');
    expect(q.enqueue(b('1'))).toBe('overflow');
  });

  it('never overflows on keyed frames: a state-only slow client just gets fewer, newer values', () => {
    const q = new OutboundBuffer({ maxBytes: 10, highWaterBytes: 4 });
    for (let i = 0; i < 1000; i++) expect(q.enqueue(b(`state-${i}`), 'sectors')).not.toBe('overflow');
    expect(drain(q)).toEqual(['state-999']);
  });

  it('drains a backlog in place, in order, counted while it waits', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 100 });
    q.enqueue(b('ack'));
    expect(q.enqueueBacklog(['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map(b), 'alerts')).toBe('queued');
    expect(q.bufferedBytes).toBe(3 + 12);
    expect(q.enqueue(b('live7'))).toBe('queued');
    expect(drain(q)).toEqual(['ack', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'live7']);
    expect(q.bufferedBytes).toBe(0);
  });

  it('a replay backlog that does not fit the budget overflows (the slow-client policy applies to it)', () => {
    const q = new OutboundBuffer({ maxBytes: 10, highWaterBytes: 4 });
    expect(q.enqueueBacklog(['r1', 'r2', 'r3'].map(b), 'alerts')).toBe('queued');
    q.take(); // 2 in flight, never flushed
    expect(q.enqueueBacklog(['r4', 'r5', 'r6'].map(b), 'alerts')).toBe('overflow');
  });

  it('hasRoom only below half the budget, so a page is taken once the last one drained', () => {
    const q = new OutboundBuffer({ maxBytes: 8, highWaterBytes: 2 });
    expect(q.hasRoom).toBe(true);
    q.enqueueBacklog(['r1', 'r2', 'r3'].map(b), 'alerts');
    expect(q.hasRoom).toBe(false);
    const f = q.take()!;
    q.written(f.byteLength);
    expect(q.bufferedBytes).toBe(4);
    expect(q.hasRoom).toBe(true);
  });

  it('dropChannel forgets the queued replay of one channel only, and its bytes', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 2 });
    q.enqueueBacklog(['a1', 'a2', 'a3'].map(b), 'alerts');
    q.enqueueBacklog(['k1', 'k2'].map(b), 'alerts:spread_zscore');
    q.enqueue(b('ack'));
    const first = q.take()!; // a1 is in flight: already the socket's, not dropped
    expect(q.dropChannel('alerts')).toBe(4);
    expect(q.bufferedBytes).toBe(2 + 4 + 3);
    q.written(first.byteLength);
    expect(drain(q)).toEqual(['k1', 'k2', 'ack']);
    expect(q.bufferedBytes).toBe(0);
    expect(q.dropChannel('alerts')).toBe(0);
  });

  it('drops the waiting frame of an unsubscribed channel', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 100 });
    q.enqueue(b('rrg'), 'rrg');
    q.enqueue(b('x'));
    expect(q.drop('rrg')).toBe(true);
    expect(q.drop('rrg')).toBe(false);
    expect(drain(q)).toEqual(['x']);
  });

  it('clear forgets everything waiting', () => {
    const q = new OutboundBuffer({ maxBytes: 100, highWaterBytes: 100 });
    q.enqueue(b('x'));
    q.enqueue(b('y'), 'k');
    q.clear();
    expect(q.take()).toBeUndefined();
    expect(q.bufferedBytes).toBe(0);
  });
});
