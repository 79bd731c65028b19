import { describe, expect, it } from 'vitest';
import { silentLogger } from '@rotation/log';
import type { Alert } from '@rotation/schemas';
import { SinkConfig } from './config.js';
import { WebhookDispatcher } from './dispatcher.js';
import type { DeadLetterEntry } from './sink.js';

const alert = (n: number): Alert => ({ id: `a${n}`, kind: 'spread_zscore', severity: 'warning', subject: 'IWM/SPY', eventTime: '2024-03-08T21:00:00.000Z', message: `m${n}`, metrics: {} });

function setup(answer: (url: string) => Promise<Response>) {
  const urls: string[] = [];
  const dead: DeadLetterEntry[] = [];
  const settled: string[] = [];
  const d = new WebhookDispatcher({
    sinks: [SinkConfig.parse({ name: 'a', url: 'https://one.example.com/x', maxAttempts: 50, backoff: { baseMs: 5, capMs: 5 } })],
    logger: silentLogger(),
    deadLetter: (e) => void dead.push(e),
    onSettled: (al, how) => void settled.push(`${al.id}:${how}`),
    fetch: ((url: string) => {
      urls.push(url);
      return answer(url);
    }) as unknown as typeof fetch,
  });
  return { d, urls, dead, settled };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('WebhookDispatcher while running', () => {
  it('a changed sink posts to its new URL from the next attempt on, keeping its queue', async () => {
    const { d, urls, settled } = setup(async () => new Response('ok', { status: 200 }));
    d.push(alert(1));
    await until(() => settled.length === 1);
    expect(d.upsert(SinkConfig.parse({ name: 'a', url: 'https://two.example.com/y' }))).toBe('changed');
    d.push(alert(2));
    await until(() => settled.length === 2);
    expect(urls).toEqual(['https://one.example.com/x', 'https://two.example.com/y']);
    expect(d.upsert(SinkConfig.parse({ name: 'b', url: 'https://three.example.com/z' }))).toBe('added');
    expect(d.sinkNames).toEqual(['a', 'b']);
    await d.close(100);
  });

  it('a removed sink dead-letters what it held as removed and settles it, so a relay commits past it', async () => {
    const { d, dead, settled } = setup(async () => new Response('down', { status: 503 }));
    d.push(alert(1));
    d.push(alert(2));
    expect(await d.remove('a')).toBe(true);
    expect(dead.map((e) => `${e.alert.id}:${e.reason}`)).toEqual(['a1:removed', 'a2:removed']);
    expect(settled).toEqual(['a1:removed', 'a2:removed']);
    expect(d.push(alert(3))).toEqual({});
    expect(await d.remove('a')).toBe(false);
  });
});
