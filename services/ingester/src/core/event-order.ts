import type { RawEvent, RawQuote } from './source.js';

/**
 * One quote, or one event (a RawEvent has a `type`), waiting to be published in event-time order. `file` and `seq` (the position in
 * its file) make the order total, so a merge of any number of sorted runs is stable: ties in
 * event time keep file order, then input order.
 */
export interface SortRecord {
  ts: number;
  tsNanos: number;
  file: number;
  seq: number;
  line?: number;
  raw: RawQuote | RawEvent;
  text: string;
}

export function compareRecords(a: SortRecord, b: SortRecord): number {
  return a.ts - b.ts || a.tsNanos - b.tsNanos || a.file - b.file || a.seq - b.seq;
}

/** Compact spill encoding: one JSON array per line, fields in a fixed order. */
export function encodeRecord(r: SortRecord): string {
  return JSON.stringify([r.ts, r.tsNanos, r.file, r.seq, r.line ?? null, r.raw, r.text]);
}

export function decodeRecord(line: string): SortRecord {
  const [ts, tsNanos, file, seq, l, raw, text] = JSON.parse(line) as [number, number, number, number, number | null, RawQuote | RawEvent, string];
  return l === null ? { ts, tsNanos, file, seq, raw, text } : { ts, tsNanos, file, seq, line: l, raw, text };
}

/**
 * k-way merge of sorted runs with a binary min-heap: O(log k) per record and one record per
 * run in memory, however large the runs are.
 */
export async function* mergeSortedRuns(runs: Array<AsyncIterable<SortRecord> | Iterable<SortRecord>>): AsyncGenerator<SortRecord> {
  type Cursor = { head: SortRecord; it: AsyncIterator<SortRecord> | Iterator<SortRecord> };
  const heap: Cursor[] = [];
  const less = (a: Cursor, b: Cursor) => compareRecords(a.head, b.head) < 0;
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const run of runs) {
    const it = Symbol.asyncIterator in run ? run[Symbol.asyncIterator]() : run[Symbol.iterator]();
    const first = await it.next();
    if (!first.done) {
      heap.push({ head: first.value, it });
      up(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.head;
    const next = await top.it.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    } else {
      top.head = next.value;
      down(0);
    }
  }
}
