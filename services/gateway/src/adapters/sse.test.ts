import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import { frames, positionMark } from '../core/frames.js';
import type { SequencedAlert } from '../core/alert-log.js';
import { Connection } from './connection.js';
import { createMetrics } from './metrics.js';
import { SSE_HEARTBEAT, SseSocket } from './sse.js';

const makeAlert = (seq: number): SequencedAlert => ({ id: `a${seq}`, kind: 'spread_zscore', severity: 'info', subject: 'IWM/SPY', eventTime: '2024-03-08T21:00:00.000Z', message: `alert ${seq}`, metrics: {}, seq });

function stream() {
  const res = new PassThrough();
  let text = '';
  res.on('data', (c: Buffer) => (text += c.toString()));
  return { res, socket: (resume?: { epoch: string; seq: number }) => new SseSocket(res as unknown as ServerResponse, resume), text: () => text };
}

const send = (s: SseSocket, buf: Buffer) => new Promise<void>((resolve, reject) => s.send(buf, { binary: false }, (err) => (err ? reject(err) : resolve())));

describe('SseSocket', () => {
  it('writes the shared frame as one data line, with the alert position as its id', async () => {
    const { socket, text } = stream();
    const s = socket();
    const frame = frames.alertEvent('alerts', 'e1', makeAlert(7), 6);
    await send(s, frame);
    await send(s, frames.alertEvent('alerts:spread_zscore', 'e1', makeAlert(7), 2));
    await send(s, SSE_HEARTBEAT);
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe(`id: e1:7\ndata: ${frame.toString()}\n\ndata: ${frames.alertEvent('alerts:spread_zscore', 'e1', makeAlert(7), 2).toString()}\n\n: heartbeat\n\n`);
  });

  it('holds ids back while a resume catches up, then writes the position every channel reached', async () => {
    const { socket, text } = stream();
    const s = socket({ epoch: 'e1', seq: 3 });
    await send(s, frames.alertEvent('alerts@XLK', 'e1', makeAlert(4), 3));
    await send(s, frames.alertEvent('alerts@XLK', 'e1', makeAlert(5), 4));
    // The head is 7: alerts 6 and 7 were not about XLK, and the stream has had everything to 7.
    await send(s, positionMark('e1', 7));
    await send(s, frames.alertEvent('alerts@XLK', 'e1', makeAlert(8), 5));
    // A later mark at the same position writes nothing.
    await send(s, positionMark('e1', 8));
    await new Promise((r) => setImmediate(r));
    expect(text().match(/^id: .*$/gm)).toEqual(['id: e1:7', 'id: e1:8']);
    expect(text()).toContain('id: e1:7\n\n');
  });

  it('a reader that does not read is closed as a slow consumer once its buffer passes the budget', () => {
    const { res, socket } = stream();
    res.pause();
    const metrics = createMetrics();
    const conn = new Connection(socket(), 'anonymous', { maxBufferBytes: 4_096, highWaterBytes: 1_024, limiter: { ratePerSec: 10, abuseStrikes: 5 }, metrics, logger: silentLogger() });
    for (let seq = 1; seq <= 200 && !conn.closed; seq++) conn.send(frames.alertEvent('alerts', 'e1', makeAlert(seq), seq - 1));
    expect(conn.closed).toBe(true);
  });
});
