import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientCommand, WsErrorCode } from '@rotation/schemas';
import { ALL_CHANNELS } from './channels.js';
import { parseCommand } from './commands.js';

describe('parseCommand', () => {
  it.each([
    ['{"op":"subscribe","id":"r1","channels":["alerts","spreads"]}', { op: 'subscribe', id: 'r1', channels: ['alerts', 'spreads'] }],
    ['{"op":"subscribe","id":"r1","channels":["alerts:spread_zscore"],"resume":{"alerts:spread_zscore":41},"epoch":"e1"}', { op: 'subscribe', resume: { 'alerts:spread_zscore': 41 }, epoch: 'e1' }],
    ['{"op":"unsubscribe","id":"r2","channels":["sectors"]}', { op: 'unsubscribe', channels: ['sectors'] }],
    ['{"op":"ping","id":"r3"}', { op: 'ping', id: 'r3' }],
  ])('accepts %s', (frame, expected) => {
    const r = parseCommand(frame, 4096);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.command).toMatchObject(expected);
  });

  it.each([
    ['not json', 'bad_json', undefined],
    ['{"op":"subscribe"', 'bad_json', undefined],
    ['[1,2]', 'bad_command', undefined],
    ['"subscribe"', 'bad_command', undefined],
    ['null', 'bad_command', undefined],
    ['{"id":"r1"}', 'unknown_op', 'r1'],
    ['{"op":"publish","id":"r9","channels":["alerts"]}', 'unknown_op', 'r9'],
    ['{"op":42}', 'unknown_op', undefined],
    ['{"op":"subscribe","id":"r1","channels":["nope"]}', 'unknown_channel', 'r1'],
    ['{"op":"subscribe","id":"r1","channels":["alerts:not_a_kind"]}', 'unknown_channel', 'r1'],
    ['{"op":"subscribe","id":"r1","channels":[]}', 'bad_command', 'r1'],
    ['{"op":"subscribe","id":"r1"}', 'bad_command', 'r1'],
    ['{"op":"subscribe","id":"r1","channels":["alerts"],"resume":{"alerts":-1}}', 'bad_command', 'r1'],
    ['{"op":"subscribe","id":"r1","channels":["alerts"],"extra":true}', 'bad_command', 'r1'],
    ['{"op":"ping"}', 'bad_command', undefined],
    [`{"op":"ping","id":"${'x'.repeat(65)}"}`, 'bad_command', undefined],
  ])('rejects %s with %s', (frame, code, id) => {
    const r = parseCommand(frame, 4096);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.id).toBe(id);
      expect(r.error.retryable).toBe(false);
      expect(r.error.message.length).toBeGreaterThan(0);
    }
  });

  it('rejects a frame over the soft limit before parsing it', () => {
    const r = parseCommand(Buffer.from(`{"op":"ping","id":"${'x'.repeat(200)}"}`), 100);
    expect(r).toMatchObject({ ok: false, error: { code: 'frame_too_large' } });
  });

  it('accepts a Buffer frame', () => {
    expect(parseCommand(Buffer.from('{"op":"ping","id":"b"}'), 100).ok).toBe(true);
  });
});

describe('parseCommand on arbitrary input', () => {
  const codes = new Set(WsErrorCode.options);
  it('never throws and always yields a command or a known error code', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))), (frame) => {
        const r = parseCommand(frame, 4096);
        if (r.ok) expect(ClientCommand.safeParse(r.command).success).toBe(true);
        else expect(codes.has(r.error.code)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed subscribe', () => {
    const channel = fc.constantFrom(...ALL_CHANNELS);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.array(channel, { minLength: 1, maxLength: 32 }), fc.nat(), (id, channels, seq) => {
        const r = parseCommand(JSON.stringify({ op: 'subscribe', id, channels, resume: { alerts: seq } }), 4096);
        expect(r.ok).toBe(true);
      }),
    );
  });
});
