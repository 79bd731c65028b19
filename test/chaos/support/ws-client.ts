/**
 * A websocket client that behaves like a careful subscriber: it remembers the last alert seq
 * and epoch it saw, and on reconnect (to any gateway) asks to resume from there. Every alert
 * it receives is recorded, so a test can assert "each alert exactly once, in order".
 */
import WebSocket from 'ws';
import { ServerMessage, type Alert } from '@rotation/schemas';

export interface ReceivedAlert {
  seq: number;
  alert: Alert;
  /** Which connection (1-based) delivered it. */
  connection: number;
  via: 'event' | 'snapshot' | 'resync';
}

export class ResumingAlertClient {
  readonly received: ReceivedAlert[] = [];
  readonly resyncs: string[] = [];
  readonly errors: string[] = [];
  /** `shutdown` messages received (a gateway going away gracefully says so first). */
  shutdowns = 0;
  lastSeq = 0;
  epoch: string | undefined;
  #ws: WebSocket | undefined;
  #connections = 0;
  #req = 0;
  #subscribedOnce = false;
  readonly #channel: string;

  /** `channel`: the alert channel to follow (`alerts` by default; `alerts:mine` for rule alerts). */
  constructor(options: { channel?: string } = {}) {
    this.#channel = options.channel ?? 'alerts';
  }

  /** Connects and subscribes to its channel, resuming from the last seq seen (0 = only new alerts). */
  async connect(wsUrl: string, timeoutMs = 15_000): Promise<void> {
    this.#connections += 1;
    const connection = this.#connections;
    const ws = new WebSocket(wsUrl);
    this.#ws = ws;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no subscribed ack from ${wsUrl} within ${timeoutMs} ms`)), timeoutMs);
      ws.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      ws.on('message', (data: Buffer) => {
        const parsed = ServerMessage.safeParse(JSON.parse(data.toString('utf8')));
        if (!parsed.success) return; // unknown message types are ignored, as the protocol says
        const m = parsed.data;
        switch (m.type) {
          case 'welcome': {
            // After a first subscription, always resume (from 0 too: "I have seen nothing yet").
            const resume = this.#subscribedOnce ? { resume: { [this.#channel]: this.lastSeq }, ...(this.epoch ? { epoch: this.epoch } : {}) } : {};
            ws.send(JSON.stringify({ op: 'subscribe', id: `r${++this.#req}`, channels: [this.#channel], ...resume }));
            break;
          }
          case 'subscribed':
            this.#subscribedOnce = true;
            clearTimeout(timer);
            resolve();
            break;
          case 'event':
            if (m.channel === this.#channel) this.#take(m.data as Alert, m.seq, connection, 'event', m.epoch);
            break;
          case 'snapshot':
            // The alerts snapshot is the recent history; it counts only for a fresh client.
            this.epoch = m.epoch;
            if (this.lastSeq === 0) this.lastSeq = m.seq;
            break;
          case 'resync':
            this.resyncs.push(m.reason);
            this.epoch = m.epoch;
            this.lastSeq = m.seq;
            break;
          case 'shutdown':
            this.shutdowns += 1;
            break;
          case 'error':
            this.errors.push(`${m.code}: ${m.message}`);
            break;
          default:
            break;
        }
      });
    });
  }

  #take(alert: Alert, seq: number, connection: number, via: ReceivedAlert['via'], epoch: string): void {
    this.epoch = epoch;
    this.received.push({ seq, alert, connection, via });
    if (seq > this.lastSeq) this.lastSeq = seq;
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Drops the connection abruptly (no close handshake), like a network cut. */
  cut(): void {
    this.#ws?.terminate();
  }

  async close(): Promise<void> {
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    });
  }
}
