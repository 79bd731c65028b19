/**
 * The few pieces of RFC 6455 a load client needs, without the `ws` library: the cost per frame
 * of `ws` (a message event, a Buffer per frame, per-frame bookkeeping) is what made the old
 * load process saturate before the gateway. Pure, unit-tested.
 */
import { randomBytes } from 'node:crypto';

export const OP_TEXT = 0x1;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

export function handshakeRequest(host: string, port: number, path: string): string {
  const key = randomBytes(16).toString('base64');
  return `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

/** A client frame: masked, as RFC 6455 requires of clients (payloads here are small). */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? 2 : 4;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, head);
  for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

export interface Frame {
  opcode: number;
  /** Payload bounds inside the buffer handed to `onFrame`. */
  start: number;
  end: number;
}

/**
 * Splits a stream of server frames (unmasked) into frames; keeps an incomplete tail for the
 * next chunk. `onFrame` gets the buffer and the frame's bounds (no copy of the payload).
 */
export class FrameReader {
  #rest: Buffer | null = null;

  push(chunk: Buffer, onFrame: (buf: Buffer, f: Frame) => void): void {
    let buf = chunk;
    if (this.#rest) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = null;
    }
    let i = 0;
    while (i + 2 <= buf.length) {
      const opcode = buf[i]! & 0x0f;
      let len = buf[i + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (i + 4 > buf.length) break;
        len = buf.readUInt16BE(i + 2);
        head = 4;
      } else if (len === 127) {
        if (i + 10 > buf.length) break;
        len = Number(buf.readBigUInt64BE(i + 2));
        head = 10;
      }
      if (i + head + len > buf.length) break;
      onFrame(buf, { opcode, start: i + head, end: i + head + len });
      i += head + len;
    }
    if (i < buf.length) this.#rest = buf.subarray(i);
  }
}
