import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { IngesterErrorCode } from '../core/errors.js';
import { gunzipOverCap, readFileLines, RATIO_FLOOR_BYTES } from './file-lines.js';

describe('gunzipOverCap', () => {
  const caps = { maxDecompressedBytes: 1_000 * 1024 * 1024, maxRatio: 100 };
  it.each([
    { compressed: 1_000, decompressed: 50_000, over: false, why: 'a high ratio below the floor harms nothing' },
    { compressed: 1_000_000, decompressed: RATIO_FLOOR_BYTES + 1, over: false, why: 'ratio 17 past the floor' },
    { compressed: 100_000, decompressed: RATIO_FLOOR_BYTES + 1, over: true, why: 'ratio 168 past the floor' },
    { compressed: 900 * 1024 * 1024, decompressed: 1_000 * 1024 * 1024 + 1, over: true, why: 'past the absolute cap' },
  ])('$why', ({ compressed, decompressed, over }) => {
    expect(gunzipOverCap(compressed, decompressed, caps) !== undefined).toBe(over);
  });
  it('0 turns each cap off', () => {
    expect(gunzipOverCap(1, 10 * 1024 ** 3, { maxDecompressedBytes: 0, maxRatio: 0 })).toBeUndefined();
  });
});

describe('readFileLines with caps', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops a gzip bomb with an inputTooLarge error before it has expanded', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'file-lines-'));
    const file = path.join(dir, 'bomb.csv.gz');
    // 64 MiB of one repeated line: about 64 KiB compressed, a ratio near 1,000.
    const gz = gzipSync(Buffer.alloc(64 * 1024 * 1024, 'ts,symbol,price\n'));
    await writeFile(file, gz);
    let lines = 0;
    const read = async () => {
      for await (const _ of readFileLines(file, 1024, { maxDecompressedBytes: 0, maxRatio: 200 })) lines += 1;
    };
    await expect(read()).rejects.toMatchObject({ code: IngesterErrorCode.inputTooLarge, message: expect.stringMatching(/gzip bomb/) });
    // Stopped once past both the floor and 200 times what was read (one chunk of slack).
    expect(lines * 16).toBeLessThan(Math.max(RATIO_FLOOR_BYTES, 200 * gz.byteLength) + 2 * 1024 * 1024);
    expect(lines * 16).toBeLessThan(32 * 1024 * 1024);
  });
});
