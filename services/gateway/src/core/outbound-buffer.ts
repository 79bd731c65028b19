/**
 * Per-connection outbound accounting in bytes. The adapter hands frames to the socket only
 * while fewer than `highWaterBytes` are in flight (written to the socket but not yet flushed
 * to the kernel); everything else waits here, where it can still be coalesced or dropped.
 *
 * - Keyed frames (state channels) coalesce: a newer value replaces the waiting one in place,
 *   so a slow client gets the latest state, never a queue of stale ones.
 * - Unkeyed frames (alerts, acks, errors) are ordered and never dropped: when in-flight plus
 *   waiting bytes pass `maxBytes` the result is 'overflow' and the connection must be closed
 *   so the client resumes from history instead of silently missing alerts.
 * - A backlog (one page of a resume's replay) is drained in order at the position it was
 *   queued and counts against `maxBytes` like any ordered frame: uncounted, a client that never
 *   reads made the gateway hold every replay it asked for (issue #19). Replays are queued a
 *   page at a time, once the buffer is below `lowWaterBytes` (see `hasRoom`), so a client that
 *   reads is never cut off for catching up. `dropChannel` forgets what is still queued for a
 *   channel the client left.
 */
export type EnqueueResult = 'queued' | 'coalesced' | 'overflow';

interface FrameEntry {
  kind: 'frame';
  buf: Buffer;
  key: string | undefined;
}
interface BacklogEntry {
  kind: 'backlog';
  frames: readonly Buffer[];
  next: number;
  channel: string;
  /** Bytes of frames[next..] (still queued). */
  bytes: number;
}
type Entry = FrameEntry | BacklogEntry;

export interface OutboundBufferOptions {
  maxBytes: number;
  highWaterBytes: number;
}

export class OutboundBuffer {
  readonly #maxBytes: number;
  readonly #highWater: number;
  #queue: Entry[] = [];
  #head = 0;
  readonly #byKey = new Map<string, FrameEntry>();
  #queuedBytes = 0;
  #inflightBytes = 0;

  constructor(options: OutboundBufferOptions) {
    this.#maxBytes = options.maxBytes;
    this.#highWater = Math.min(options.highWaterBytes, options.maxBytes);
  }

  /** Below half the budget: room for the next replay page without risking an overflow from it alone. */
  get hasRoom(): boolean {
    return this.bufferedBytes <= this.#maxBytes / 2;
  }

  /** Bytes waiting here plus bytes handed to the socket and not yet flushed. */
  get bufferedBytes(): number {
    return this.#queuedBytes + this.#inflightBytes;
  }

  get inflightBytes(): number {
    return this.#inflightBytes;
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }

  enqueue(buf: Buffer, key?: string): EnqueueResult {
    if (key !== undefined) {
      const waiting = this.#byKey.get(key);
      if (waiting) {
        this.#queuedBytes += buf.byteLength - waiting.buf.byteLength;
        waiting.buf = buf;
        return 'coalesced';
      }
    }
    const entry: FrameEntry = { kind: 'frame', buf, key };
    this.#queue.push(entry);
    if (key !== undefined) this.#byKey.set(key, entry);
    this.#queuedBytes += buf.byteLength;
    if (key === undefined && this.bufferedBytes > this.#maxBytes) return 'overflow';
    return 'queued';
  }

  /** Queues replay frames of `channel`, sent in order before anything queued after them; counted against `maxBytes`. */
  enqueueBacklog(frames: readonly Buffer[], channel: string): EnqueueResult {
    if (frames.length === 0) return 'queued';
    let bytes = 0;
    for (const f of frames) bytes += f.byteLength;
    this.#queue.push({ kind: 'backlog', frames, next: 0, channel, bytes });
    this.#queuedBytes += bytes;
    return this.bufferedBytes > this.#maxBytes ? 'overflow' : 'queued';
  }

  /** The next frame to write, or undefined when nothing waits or the socket has enough in flight. */
  take(): Buffer | undefined {
    if (this.#inflightBytes >= this.#highWater) return undefined;
    while (this.#head < this.#queue.length) {
      const entry = this.#queue[this.#head]!;
      if (entry.kind === 'backlog') {
        const buf = entry.frames[entry.next++];
        if (entry.next >= entry.frames.length) this.#advance();
        if (!buf) continue;
        entry.bytes -= buf.byteLength;
        this.#queuedBytes -= buf.byteLength;
        this.#inflightBytes += buf.byteLength;
        return buf;
      }
      this.#advance();
      if (entry.buf.byteLength === 0) continue; // dropped
      if (entry.key !== undefined) this.#byKey.delete(entry.key);
      this.#queuedBytes -= entry.buf.byteLength;
      this.#inflightBytes += entry.buf.byteLength;
      return entry.buf;
    }
    return undefined;
  }

  /** The socket flushed `bytes` of what `take` returned. */
  written(bytes: number): void {
    this.#inflightBytes = Math.max(0, this.#inflightBytes - bytes);
  }

  /** Forgets the waiting frame of `key` (the client unsubscribed from that channel). */
  drop(key: string): boolean {
    const entry = this.#byKey.get(key);
    if (!entry) return false;
    this.#byKey.delete(key);
    this.#queuedBytes -= entry.buf.byteLength;
    entry.buf = Buffer.alloc(0);
    return true;
  }

  /** Forgets the replay frames still queued for `channel` (unsubscribed, or its resume superseded); returns the bytes freed. */
  dropChannel(channel: string): number {
    let freed = 0;
    for (let i = this.#head; i < this.#queue.length; i++) {
      const entry = this.#queue[i]!;
      if (entry.kind !== 'backlog' || entry.channel !== channel) continue;
      freed += entry.bytes;
      entry.bytes = 0;
      entry.next = entry.frames.length;
      entry.frames = [];
    }
    this.#queuedBytes -= freed;
    return freed;
  }

  /** Drops everything waiting (the connection is closing). */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
    this.#byKey.clear();
    this.#queuedBytes = 0;
  }

  #advance(): void {
    this.#head++;
    // Compact occasionally so a long-lived connection does not keep a growing array.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
