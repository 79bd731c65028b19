import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { IngesterError, IngesterErrorCode } from '../core/errors.js';
import { LineSplitter } from '../core/line-splitter.js';

/** What a gzip file may expand to; 0 turns a cap off. */
export interface GunzipCaps {
  maxDecompressedBytes: number;
  maxRatio: number;
}

/** Below this, any ratio is allowed: a small file of repeated lines compresses very well and harms nothing. */
export const RATIO_FLOOR_BYTES = 16 * 1024 * 1024;

/** Why a gzip stream must stop, given what it read and what it produced so far; undefined while within the caps. */
export function gunzipOverCap(compressed: number, decompressed: number, caps: GunzipCaps): string | undefined {
  if (caps.maxDecompressedBytes > 0 && decompressed > caps.maxDecompressedBytes) return `decompressed past ${caps.maxDecompressedBytes} bytes (INGESTER_MAX_DECOMPRESSED_BYTES)`;
  if (caps.maxRatio > 0 && decompressed > RATIO_FLOOR_BYTES && decompressed > caps.maxRatio * Math.max(1, compressed)) {
    return `expanded more than ${caps.maxRatio} times (${compressed} compressed bytes gave ${decompressed}; INGESTER_MAX_GZIP_RATIO): a likely gzip bomb`;
  }
  return undefined;
}

export interface FileLine {
  text: string;
  line: number;
  tooLong: boolean;
}

/** Gzip by content (magic bytes 1f 8b), not only by name: a renamed .gz still reads. */
async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function openText(file: string, caps?: GunzipCaps): Promise<Readable> {
  // Checked before the stream exists, so a missing file is one rejected promise, not a stray 'error' event.
  const gzip = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!gzip) return raw;
  const gunzip = createGunzip();
  // pipe() does not forward read errors; the gunzip side is what the caller iterates.
  raw.on('error', (e) => gunzip.destroy(e));
  const text = raw.pipe(gunzip);
  if (!caps) return text;
  let compressed = 0;
  let decompressed = 0;
  raw.on('data', (chunk: string | Buffer) => {
    compressed += chunk.length;
  });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      decompressed += chunk.byteLength;
      const why = gunzipOverCap(compressed, decompressed, caps);
      if (!why) return done(null, chunk);
      raw.destroy();
      done(new IngesterError(IngesterErrorCode.inputTooLarge, `${file}: ${why}`, { file, compressed, decompressed }));
    },
  });
  text.on('error', (e) => counter.destroy(e));
  return text.pipe(counter);
}

/**
 * Streams a (possibly gzipped) text file as lines, one chunk at a time: memory is bounded by
 * the chunk size and `maxLineLength`, whatever the file size. Gzip corruption surfaces as an
 * error from the iterator; the caller turns it into a dead letter.
 */
export async function* readFileLines(file: string, maxLineLength: number, caps?: GunzipCaps): AsyncGenerator<FileLine> {
  const stream = await openText(file, caps);
  const decoder = new StringDecoder('utf8');
  const splitter = new LineSplitter(maxLineLength);
  const ready: FileLine[] = [];
  const emit = (text: string, line: number, tooLong: boolean) => ready.push({ text, line, tooLong });
  try {
    for await (const chunk of stream) {
      splitter.push(decoder.write(chunk as Buffer), emit);
      yield* ready.splice(0);
    }
    splitter.push(decoder.end(), emit);
    splitter.end(emit);
    yield* ready.splice(0);
  } finally {
    stream.destroy();
  }
}

/** The first `n` lines of a (possibly gzipped) file, fewer when it is shorter: a header and a sample row. */
export async function readFirstLines(file: string, n: number, maxLineLength: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readFileLines(file, maxLineLength)) {
    out.push(l.text);
    if (out.length >= n) break;
  }
  return out;
}

/** Reads a whole (possibly gzipped) file up to `maxBytes`; undefined when it is larger. */
export async function readWholeText(file: string, maxBytes: number, caps?: GunzipCaps): Promise<string | undefined> {
  const stream = await openText(file, caps);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).byteLength;
      if (total > maxBytes) return undefined;
      chunks.push(chunk as Buffer);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
