import { describe, expect, it } from 'vitest';
import { FrameReader, OP_PING, OP_TEXT, clientFrame, type Frame } from './ws-frames.js';

/** A server frame (unmasked), as the gateway writes them. */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), Buffer.from(new BigUint64Array([BigInt(len)]).buffer).reverse()]);
  return Buffer.concat([head, payload]);
}

describe('FrameReader', () => {
  it('splits frames of every length encoding, however the stream is cut', () => {
    const payloads = [Buffer.from('a'), Buffer.alloc(300, 'b'), Buffer.alloc(70_000, 'c'), Buffer.from('{"x":1}')];
    const stream = Buffer.concat(payloads.map((p, i) => serverFrame(i === 1 ? OP_PING : OP_TEXT, p)));
    // Tiny cuts too (a header split across chunks); the 70 kB frame makes them quadratic, so not 1.
    for (const cut of [3, 7, 500, 4096, stream.length]) {
      const r = new FrameReader();
      const got: Array<{ opcode: number; text: string }> = [];
      for (let i = 0; i < stream.length; i += cut) r.push(stream.subarray(i, i + cut), (buf: Buffer, f: Frame) => got.push({ opcode: f.opcode, text: buf.toString('latin1', f.start, f.end) }));
      expect(got.map((g) => g.text.length)).toEqual([1, 300, 70_000, 7]);
      expect(got.map((g) => g.opcode)).toEqual([OP_TEXT, OP_PING, OP_TEXT, OP_TEXT]);
      expect(got[3]!.text).toBe('{"x":1}');
    }
  });
});

describe('clientFrame', () => {
  it('masks the payload so that unmasking gives it back', () => {
    const payload = Buffer.from(JSON.stringify({ op: 'subscribe', id: 's1', channels: ['alerts'] }));
    const f = clientFrame(OP_TEXT, payload);
    expect(f[0]).toBe(0x81);
    expect(f[1]! & 0x80).toBe(0x80);
    expect(f[1]! & 0x7f).toBe(payload.length);
    const mask = f.subarray(2, 6);
    const back = Buffer.from(f.subarray(6).map((b, i) => b ^ mask[i & 3]!));
    expect(back.toString()).toBe(payload.toString());
  });
});
