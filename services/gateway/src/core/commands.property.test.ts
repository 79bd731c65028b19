/**
 * Guarantee 7 (bad input everywhere), websocket client commands: for any text the parser never
 * throws; a well-formed command is accepted as sent and a bad one gets an error code and message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertKind, ClientCommand, WsErrorCode } from '@rotation/schemas';
import { parseCommand } from './commands.js';

const RUNS = { numRuns: 400 };
const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.string({ maxLength: 20 }), fc.double(), fc.constantFrom(null, '', 'NaN', -1, 0));

describe('websocket client commands', () => {
  const channel = fc.oneof(fc.constantFrom('alerts', 'spreads', 'sectors', 'rrg', 'breadth'), fc.constantFrom(...AlertKind.options).map((k) => `alerts:${k}`));
  const id = fc.string({ minLength: 1, maxLength: 64 });
  const goodCommand = fc.oneof(
    fc.record(
      { op: fc.constant('subscribe'), id, channels: fc.array(channel, { minLength: 1, maxLength: 32 }), resume: fc.dictionary(channel, fc.nat()), epoch: fc.string({ maxLength: 64 }) },
      { requiredKeys: ['op', 'id', 'channels'] },
    ),
    fc.record({ op: fc.constant('unsubscribe'), id, channels: fc.array(channel, { minLength: 1, maxLength: 32 }) }),
    fc.record({ op: fc.constant('ping'), id }),
  );
  const MAX = 4096;

  it('any frame (text or bytes) parses to a command or an error with a documented code and a message', () => {
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.tuple(goodCommand, fc.string({ maxLength: 8 }), junk).map(([c, k, v]) => JSON.stringify({ ...c, [k]: v })),
      fc.string({ minLength: MAX + 1, maxLength: MAX + 50 }).map((s) => s.padEnd(MAX + 1, 'x')),
    );
    fc.assert(
      fc.property(frame, (f) => {
        const r = parseCommand(f, MAX);
        if (r.ok) expect(ClientCommand.safeParse(r.command).success).toBe(true);
        else {
          expect(WsErrorCode.options).toContain(r.error.code);
          expect(r.error.message.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('every well-formed command is accepted exactly as sent (a good command is never refused)', () => {
    fc.assert(
      fc.property(goodCommand, fc.boolean(), (c, asBuffer) => {
        const text = JSON.stringify(c);
        fc.pre(Buffer.byteLength(text) <= MAX);
        const r = parseCommand(asBuffer ? Buffer.from(text) : text, MAX);
        expect(r).toEqual({ ok: true, command: JSON.parse(text) });
      }),
      RUNS,
    );
  });
});
