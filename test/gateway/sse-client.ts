/**
 * A Server-Sent Events reader for tests, built on fetch's streamed body: it parses the wire
 * format itself (data, id, comments) so the tests see exactly what an EventSource would.
 */
import { ServerMessage } from '@rotation/schemas';

export interface SseEvent {
  /** The stream's last event id after this event (what EventSource would send on reconnect). */
  lastId: string;
  message: ServerMessage;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** The last `id:` seen, with or without data (a bare id is a position marker). */
  lastId = '';
  ended = false;
  readonly status: number;
  readonly headers: Headers;
  readonly #abort: AbortController;
  readonly done: Promise<void>;

  private constructor(res: Response, abort: AbortController) {
    this.status = res.status;
    this.headers = res.headers;
    this.#abort = abort;
    this.done = this.#read(res).finally(() => (this.ended = true));
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    return new SseReader(res, abort);
  }

  async #read(res: Response): Promise<void> {
    if (!res.body || res.status !== 200) return;
    const decoder = new TextDecoder();
    let text = '';
    let data: string[] = [];
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = text.indexOf('\n')) >= 0) {
          const line = text.slice(0, nl);
          text = text.slice(nl + 1);
          if (line === '') {
            if (data.length > 0) this.events.push({ lastId: this.lastId, message: ServerMessage.parse(JSON.parse(data.join('\n'))) });
            data = [];
          } else if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else if (line.startsWith('data: ')) data.push(line.slice(6));
          else if (line.startsWith('id: ')) this.lastId = line.slice(4);
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  messages(): ServerMessage[] {
    return this.events.map((e) => e.message);
  }

  alertSeqs(channel = 'alerts'): number[] {
    return this.messages()
      .filter((m) => m.type === 'event' && m.channel === channel)
      .map((m) => (m as { seq: number }).seq);
  }

  async until(check: (r: SseReader) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (this.ended) throw new Error(`stream ended while waiting for ${what}; got ${JSON.stringify(this.messages().map((m) => m.type))}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages().map((m) => m.type))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): Promise<void> {
    this.#abort.abort();
    return this.done.catch(() => undefined);
  }
}
