import { z } from 'zod';
import {
  Breadth,
  EventMessage,
  PROTOCOL_VERSION,
  RrgPoint,
  SectorWindow,
  SERVER_MESSAGES,
  SnapshotMessage,
  SpreadPoint,
  type ServerMessage,
  type ServerMessageType,
  type StateValues,
  type StateChannel,
} from '@rotation/schemas';

export type { StateValues };

/** What one inbound frame turned out to be. Decoding never throws. */
export type Decoded =
  | { kind: 'message'; message: ServerMessage }
  /** A well-formed message of a type this client does not know: ignored, as protocol v1 asks. */
  | { kind: 'unknown'; type: string }
  /** A welcome announcing another protocol version. */
  | { kind: 'version'; version: unknown }
  | { kind: 'invalid'; reason: string };

const isKnownType = (type: string): type is ServerMessageType => Object.hasOwn(SERVER_MESSAGES, type);

/**
 * The schema a frame is checked against: its type's, and for snapshots and events the variant of
 * its channel (each state channel carries its own shape), so a bad frame is reported by what is
 * wrong with it, not as "matches no variant".
 */
function schemaFor(type: ServerMessageType, channel: unknown): z.ZodType<ServerMessage> {
  const variants = type === 'event' ? EventMessage.options : type === 'snapshot' ? SnapshotMessage.options : undefined;
  if (!variants) return SERVER_MESSAGES[type] as z.ZodType<ServerMessage>;
  return (variants.find((v) => v.shape.channel.safeParse(channel).success) ?? variants.at(-1)!) as z.ZodType<ServerMessage>;
}

/** Default bound of one inbound frame, in characters (state frames are a few KiB, alert replays a few hundred KiB). */
export const DEFAULT_MAX_FRAME_CHARS = 4 * 1024 * 1024;

export function decodeFrame(data: unknown, maxChars: number = DEFAULT_MAX_FRAME_CHARS): Decoded {
  if (typeof data !== 'string') return { kind: 'invalid', reason: 'binary frame (protocol v1 sends JSON text frames only)' };
  if (data.length > maxChars) return { kind: 'invalid', reason: `frame of ${data.length} characters exceeds the limit of ${maxChars}` };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (cause) {
    return { kind: 'invalid', reason: `frame is not JSON: ${(cause as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'invalid', reason: 'frame is not a JSON object' };
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') return { kind: 'invalid', reason: 'frame has no "type"' };
  if (!isKnownType(type)) return { kind: 'unknown', type: type.slice(0, 64) };
  if (type === 'welcome') {
    const version = (json as { version?: unknown }).version;
    if (version !== PROTOCOL_VERSION) return { kind: 'version', version };
  }
  const channel = (json as { channel?: unknown }).channel;
  const parsed = schemaFor(type, channel).safeParse(json);
  if (!parsed.success) return { kind: 'invalid', reason: `${type} frame: ${describeIssue(parsed.error, channel)}` };
  return { kind: 'message', message: parsed.data };
}

/**
 * Each state channel's shape, for a value that did not arrive in a frame (decodeFrame checks a
 * frame's own): a stored value, or one read from `/api/v1/snapshot`.
 */
const STATE_SCHEMAS: { [C in StateChannel]: z.ZodType<StateValues[C]> } = {
  spreads: z.array(SpreadPoint),
  sectors: z.array(SectorWindow),
  rrg: z.array(RrgPoint),
  breadth: Breadth,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parseStateData<C extends StateChannel>(channel: C, data: unknown): Parsed<StateValues[C]> {
  const result = (STATE_SCHEMAS[channel] as z.ZodType<StateValues[C]>).safeParse(data);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: `${channel} data: ${describeIssue(result.error)}` };
}

/** The first issue, by where it is; an issue inside a frame's `data` names the channel (`spreads data: 0.pair`). */
function describeIssue(error: z.ZodError, channel?: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  if (typeof channel === 'string' && issue.path[0] === 'data') {
    const inside = issue.path.slice(1).map(String).join('.');
    return `${channel} data: ${inside || '(root)'}: ${issue.message}`;
  }
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${where}: ${issue.message}`;
}
