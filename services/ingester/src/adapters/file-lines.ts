import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { LineSplitter } from '../core/line-splitter.js';

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

export async function openText(file: string): Promise<Readable> {
  // Checked before the stream exists, so a missing file is one rejected promise, not a stray 'error' event.
  const gzip = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!gzip) return raw;
  const gunzip = createGunzip();
  // pipe() does not forward read errors; the gunzip side is what the caller iterates.
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/**
 * Streams a (possibly gzipped) text file as lines, one chunk at a time: memory is bounded by
 * the chunk size and `maxLineLength`, whatever the file size. Gzip corruption surfaces as an
 * error from the iterator; the caller turns it into a dead letter.
 */
export async function* readFileLines(file: string, maxLineLength: number): AsyncGenerator<FileLine> {
  const stream = await openText(file);
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
export async function readWholeText(file: string, maxBytes: number): Promise<string | undefined> {
  const stream = await openText(file);
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
