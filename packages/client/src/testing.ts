/**
 * In-memory doubles for the client's unit tests (and for anyone testing code built on the
 * client): a WebSocket class whose instances the test drives by hand, and a scheduler whose
 * clock only moves when told to.
 */
import type { ClientCommand, ServerMessage } from '@rotation/schemas';
import type { Scheduler } from './client.js';
import type { WebSocketConstructor, WebSocketLike } from './socket.js';

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientCommand[] = [];
  closedWith: { code?: number; reason?: string } | undefined;

  constructor(
    readonly url: string,
    readonly options: Record<string, unknown> | undefined,
  ) {}

  /** The server accepted the upgrade. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  /** A frame from the server: an object is JSON-encoded, a string goes as is. */
  receive(message: ServerMessage | Record<string, unknown> | string | Uint8Array): void {
    this.onmessage?.({ data: typeof message === 'string' || message instanceof Uint8Array ? message : JSON.stringify(message) });
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  fail(message: string): void {
    this.onerror?.({ message });
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientCommand);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: code ?? 1005, reason: reason ?? '' });
  }
  /** The last command sent of the given op. */
  last<Op extends ClientCommand['op']>(op: Op): Extract<ClientCommand, { op: Op }> | undefined {
    return this.sent.filter((c) => c.op === op).at(-1) as Extract<ClientCommand, { op: Op }> | undefined;
  }
}

/** A WebSocket class recording every socket it made. */
export function fakeWebSocket(): { WebSocket: WebSocketConstructor; sockets: FakeSocket[]; latest: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  class Ctor extends FakeSocket {
    constructor(url: string, _protocols?: unknown, options?: Record<string, unknown>) {
      super(url, options);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Ctor as unknown as WebSocketConstructor,
    sockets,
    latest: () => {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket was created');
      return s;
    },
  };
}

/** Timers that fire only when the test advances the clock. */
export class ManualScheduler implements Scheduler {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  get pending(): number {
    return this.#timers.size;
  }
  /** Delays of the timers now pending, relative to now, ascending. */
  delays(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }
  /** Moves the clock, firing due timers in time order (timers they set fire too, if due). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
}

/** Lets pending promise callbacks (the client's async connect step) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
