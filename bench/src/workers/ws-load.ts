/**
 * Child process: N websocket clients against one gateway, all on 127.0.0.1, each subscribed to
 * `alerts`. Prints {"event":"connected"} once every client is subscribed, then counts the alert
 * events every client receives for --seconds after the first one and records the delivery
 * latency of each: receive time minus the `benchSentAtMs` the parent put in the alert's
 * metrics just before producing it (same machine, same clock: performance.timeOrigin + now()).
 * Runs apart from the gateway and from the producer so neither steals the other's CPU time
 * inside one event loop.
 */
import WebSocket from 'ws';
import { createHistogram, encodeHistogram, recordMs, summarize } from '../stats.js';
import { openClients } from './open-clients.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const url = arg('url', 'ws://127.0.0.1:8080/v1/stream');
const clients = Number(arg('clients', '1000'));
const seconds = Number(arg('seconds', '10'));
const concurrency = Number(arg('concurrency', '200'));

const now = () => performance.timeOrigin + performance.now();
const MARK = Buffer.from('"benchSentAtMs":');
const hist = createHistogram();
let received = 0;
let inWindow = 0;
let windowStart = 0;
let windowEnd = Infinity;
let failed = 0;
let closedEarly = 0;
const sockets: WebSocket[] = [];

function onMessage(data: WebSocket.RawData): void {
  const t = now();
  // Only the alert events carry the mark; finding it by index avoids a JSON.parse per message,
  // which at 100k messages/s would make this load process, not the gateway, the bottleneck.
  const buf = data as Buffer;
  const i = buf.indexOf(MARK);
  if (i < 0) return;
  received += 1;
  if (windowStart === 0) {
    windowStart = t;
    windowEnd = t + seconds * 1000;
  }
  if (t > windowEnd) return;
  inWindow += 1;
  const sent = Number.parseFloat(buf.toString('latin1', i + MARK.length, i + MARK.length + 24));
  recordMs(hist, t - sent);
}

function open(k: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 30_000 });
    let subscribed = false;
    ws.on('message', (data) => {
      if (!subscribed) {
        const s = data.toString();
        if (s.includes('"type":"welcome"')) ws.send(JSON.stringify({ op: 'subscribe', id: `s${k}`, channels: ['alerts'] }));
        else if (s.includes('"type":"subscribed"')) {
          subscribed = true;
          ws.on('message', onMessage);
          resolve();
        }
        return;
      }
    });
    ws.on('error', () => {
      if (!subscribed) {
        failed += 1;
        resolve();
      }
    });
    ws.on('close', () => {
      if (!subscribed) {
        failed += 1;
        resolve();
      } else if (windowStart === 0 || now() < windowEnd) closedEarly += 1;
    });
    sockets.push(ws);
  });
}

const connectSeconds = await openClients(clients, concurrency, open);
const connected = clients - failed;
process.stdout.write(`${JSON.stringify({ event: 'connected', connected, failed, connectSeconds })}\n`);

// Wait for the first event, then the window, then a little for stragglers of the window.
const deadline = now() + 60_000;
while (windowStart === 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20));
while (now() < windowEnd + 1_000 && windowStart !== 0) await new Promise((r) => setTimeout(r, 50));
const summary = summarize(hist);
for (const ws of sockets) ws.terminate();
process.stdout.write(
  `${JSON.stringify({ event: 'done', connected, failed, closedEarly, received, inWindow, seconds, deliveredPerSec: Math.round(inWindow / seconds), ...summary, histogram: encodeHistogram(hist) })}\n`,
  () => process.exit(0),
);
