import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuoteSink } from '../../core/source.js';
import { ActionsFileSource } from './file-source.js';

const NOW = 1_717_000_000_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'actions-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recordingSink() {
  const seen: unknown[] = [];
  const sink: QuoteSink = {
    quote: () => undefined,
    reject: (reason, message, origin, rawText, source) => void seen.push({ reject: reason, message, origin, rawText, source }),
    event: (raw, origin, rawText, source) => void seen.push({ raw, origin, rawText, source }),
    skip: () => undefined,
  };
  return { sink, seen };
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const f = path.join(dir, name);
  await writeFile(f, content);
  return f;
}

describe('ActionsFileSource', () => {
  it('CSV: every row an action or a dead letter with its line; blank lines skipped; progress counts rows', async () => {
    const f = await file('actions.csv', '\nsymbol,action,ex_date,ratio,amount\nNVDA,split,2024-06-10,10,\n\nSPY,merger,2024-06-21,,\nSPY,dividend,2024-06-21,,1.7588\n');
    const { sink, seen } = recordingSink();
    const src = new ActionsFileSource({ file: f, now: () => NOW });
    await src.run(sink);
    expect(seen).toEqual([
      { raw: { type: 'corporate_action', symbol: 'NVDA', action: 'split', exDate: '2024-06-10', ratio: '10', ts: NOW }, origin: { file: f, line: 3 }, rawText: 'NVDA,split,2024-06-10,10,', source: 'replay' },
      { reject: 'invalid_tick', message: 'action: expected split, reverse_split, dividend, got "merger"', origin: { file: f, line: 5 }, rawText: 'SPY,merger,2024-06-21,,', source: 'replay' },
      { raw: { type: 'corporate_action', symbol: 'SPY', action: 'dividend', exDate: '2024-06-21', amount: '1.7588', ts: NOW }, origin: { file: f, line: 6 }, rawText: 'SPY,dividend,2024-06-21,,1.7588', source: 'replay' },
    ]);
    expect(src.progress()).toEqual({ done: 3, total: undefined });
    expect(src.summary()).toEqual({ format: 'csv', actions: 2, rejectedRows: 1 });
  });

  it('NDJSON, gzipped: the first line is a record; an over-long line is too_large', async () => {
    const lines = ['{"symbol":"NVDA","action":"split","exDate":"2024-06-10","ratio":10}', `{"symbol":"${'X'.repeat(200)}"}`, '{"symbol":"SPY","action":"dividend","exDate":"2024-06-21","amount":1.7588,"ts":1718000000000}'];
    const f = await file('actions.ndjson.gz', gzipSync(lines.join('\n')));
    const { sink, seen } = recordingSink();
    await new ActionsFileSource({ file: f, now: () => NOW, maxLineLength: 100 }).run(sink);
    expect(seen).toMatchObject([
      { raw: { symbol: 'NVDA', ratio: 10, ts: NOW }, origin: { line: 1 } },
      { reject: 'too_large', origin: { line: 2 } },
      { raw: { symbol: 'SPY', amount: 1.7588, ts: 1718000000000 }, origin: { line: 3 } },
    ]);
  });

  it('a file of another format, or a missing file, fails before anything is published', async () => {
    const ticks = await file('ticks.csv', 'ts,symbol,price\n2024-01-02T15:00:00Z,SPY,470\n');
    const { sink, seen } = recordingSink();
    await expect(new ActionsFileSource({ file: ticks }).run(sink)).rejects.toMatchObject({ code: 'INGESTER_UNKNOWN_FORMAT', message: expect.stringContaining('unknown column price') });
    await expect(new ActionsFileSource({ file: path.join(dir, 'missing.csv') }).run(sink)).rejects.toMatchObject({ code: 'INGESTER_FILE_UNREADABLE' });
    expect(seen).toEqual([]);
  });
});
