import { Channel, ClientCommand, type WsErrorCode } from '@rotation/schemas';

export interface CommandError {
  id?: string;
  code: WsErrorCode;
  message: string;
  retryable: boolean;
}

export type ParseResult = { ok: true; command: ClientCommand } | { ok: false; error: CommandError };

const KNOWN_OPS = new Set(['subscribe', 'unsubscribe', 'ping']);

/**
 * Turns one inbound text frame into a command or an error frame's content. Never throws:
 * every input, however odd, becomes one or the other. `maxBytes` is the soft command limit
 * (the websocket layer's maxPayload is the hard one and closes the connection).
 */
export function parseCommand(frame: string | Buffer, maxBytes: number): ParseResult {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
  if (size > maxBytes) return fail('frame_too_large', `commands are limited to ${maxBytes} bytes (got ${size})`);
  let json: unknown;
  try {
    json = JSON.parse(typeof frame === 'string' ? frame : frame.toString('utf8'));
  } catch (cause) {
    return fail('bad_json', `frame is not JSON: ${(cause as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail('bad_command', 'a command is a JSON object with an "op" field');
  }
  const record = json as Record<string, unknown>;
  const id = typeof record.id === 'string' && record.id.length > 0 && record.id.length <= 64 ? record.id : undefined;
  if (typeof record.op !== 'string' || !KNOWN_OPS.has(record.op)) {
    const op = typeof record.op === 'string' ? `"${record.op.slice(0, 32)}"` : 'missing';
    return fail('unknown_op', `op ${op} is not one of subscribe, unsubscribe, ping`, id);
  }
  const parsed = ClientCommand.safeParse(json);
  if (parsed.success) return { ok: true, command: parsed.data };
  const bad = unknownChannels(record.channels);
  if (bad.length > 0) return fail('unknown_channel', `unknown channel(s): ${bad.join(', ')}`, id);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'command';
  return fail('bad_command', `${where}: ${issue?.message ?? 'invalid command'}`, id);
}

function unknownChannels(channels: unknown): string[] {
  if (!Array.isArray(channels)) return [];
  return channels
    .filter((c): c is string => typeof c === 'string' && !Channel.safeParse(c).success)
    .map((c) => JSON.stringify(c.slice(0, 40)))
    .slice(0, 5);
}

function fail(code: WsErrorCode, message: string, id?: string): ParseResult {
  return { ok: false, error: { ...(id ? { id } : {}), code, message, retryable: false } };
}
