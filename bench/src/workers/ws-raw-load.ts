/**
 * Child process: N websocket clients on raw TCP sockets (ws-frames.ts, no `ws`), all subscribed
 * to `alerts`, cheap enough per frame that the gateway, not this process, saturates first: a
 * socket's burst arrives as one 'data' chunk, split by frame header, counted by looking for the
 * bench mark in the payload. Latency (receive - the `benchSentAtMs` the parent put in the alert
 * just before producing it; same machine, same clock) is read from every frame of one socket in
 * --sample-every (the distribution of a burst without parsing every frame's number).
 *
 * Prints {"event":"connected"} once every client is subscribed; on SIGUSR2 prints a
 * {"event":"window"} report of the frames and latencies since the previous one and starts a new
 * window, so the parent can step the offered rate over the same connections.
 */
import net from 'node:net';
import { FrameReader, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, clientFrame, handshakeRequest } from '../ws-frames.js';
import { createHistogram, encodeHistogram, recordMs } from '../stats.js';
import { openClients } from './open-clients.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const url = new URL(arg('url', 'ws://127.0.0.1:8080/v1/stream'));
const clients = Number(arg('clients', '1000'));
const concurrency = Number(arg('concurrency', '500'));
const sampleEvery = Number(arg('sample-every', '8'));
const host = url.hostname;
const port = Number(url.port);

const now = () => performance.timeOrigin + performance.now();
const MARK = Buffer.from('"benchSentAtMs":');
let hist = createHistogram();
let frames = 0;
let windowStart = now();
let failed = 0;
/** The first few reasons a client failed, so a row that could not connect says why. */
const failures: string[] = [];
const noteFailure = (why: string) => void (failures.length < 5 && failures.push(why));
let closed = 0;
const sockets: net.Socket[] = [];

function onFrame(sock: net.Socket, sampled: boolean, buf: Buffer, opcode: number, start: number, end: number): void {
  if (opcode === OP_PING) {
    sock.write(clientFrame(OP_PONG, buf.subarray(start, end)));
    return;
  }
  if (opcode !== OP_TEXT) return;
  const i = buf.indexOf(MARK, start);
  if (i < 0 || i >= end) return;
  frames += 1;
  if (sampled) recordMs(hist, now() - Number.parseFloat(buf.toString('latin1', i + MARK.length, Math.min(end, i + MARK.length + 24))));
}

function open(k: number): Promise<void> {
  return new Promise((resolve) => {
    // Source addresses spread over 127.0.0.2-9: one address has ~28k ephemeral ports, and 20k
    // clients plus the previous step's 10k in TIME_WAIT do not fit in one (552 of 19,500 connected).
    const sock = net.connect({ host, port, noDelay: true, ...(host === '127.0.0.1' ? { localAddress: `127.0.0.${2 + (k % 8)}` } : {}) });
    const reader = new FrameReader();
    const sampled = k % sampleEvery === 0;
    let state: 'http' | 'welcome' | 'subscribing' | 'live' = 'http';
    let head = '';
    const settle = (ok: boolean) => {
      if (!ok) failed += 1;
      resolve();
    };
    const onData = (chunk: Buffer) => {
      if (state === 'live') {
        reader.push(chunk, (buf, f) => onFrame(sock, sampled, buf, f.opcode, f.start, f.end));
        return;
      }
      let rest = chunk;
      if (state === 'http') {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.startsWith('HTTP/1.1 101')) {
          noteFailure(head.slice(0, 80));
          sock.destroy();
          return settle(false);
        }
        rest = Buffer.from(head.slice(end + 4), 'latin1');
        state = 'welcome';
      }
      reader.push(rest, (buf, f) => {
        const text = buf.toString('utf8', f.start, f.end);
        if (state === 'welcome' && text.includes('"type":"welcome"')) {
          state = 'subscribing';
          sock.write(clientFrame(OP_TEXT, Buffer.from(JSON.stringify({ op: 'subscribe', id: `s${k}`, channels: ['alerts'] }))));
        } else if (state === 'subscribing' && text.includes('"type":"subscribed"')) {
          state = 'live';
          settle(true);
        } else if (f.opcode === OP_CLOSE) sock.destroy();
      });
    };
    sock.on('connect', () => sock.write(handshakeRequest(host, port, url.pathname)));
    sock.on('data', onData);
    sock.on('error', (e) => {
      noteFailure(e.message);
      if (state !== 'live') settle(false);
    });
    sock.on('close', () => {
      if (state === 'live') closed += 1;
      else settle(false);
    });
    sockets.push(sock);
  });
}

const connectSeconds = await openClients(clients, concurrency, open);
const connected = clients - failed;
process.stdout.write(`${JSON.stringify({ event: 'connected', connected, failed, failures, connectSeconds })}\n`);

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
let cpu0 = cpuSeconds();
windowStart = now();
frames = 0;
process.on('SIGUSR2', () => {
  const t = now();
  const cpu = cpuSeconds();
  const report = { event: 'window', frames, seconds: (t - windowStart) / 1000, cpuSeconds: cpu - cpu0, closed, histogram: encodeHistogram(hist) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  hist = createHistogram();
  frames = 0;
  windowStart = t;
  cpu0 = cpu;
});
process.on('SIGTERM', () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
});
