import { deadLetterOf, isTick, LaneWatermark, parseTradeEvent, Tick, type DeadLetter, type DeadLetterReason, type TradeEvent } from '@rotation/schemas';

/** A tick record is ~100 bytes; anything this large is not a tick and is not parsed. */
export const MAX_TICK_BYTES = 4096;

export interface InputRecord {
  /** The ticks partition: each lane's records arrive in offset order. */
  lane: number;
  offset: string;
  value: Buffer | string | null;
}

export type Decoded =
  | { ok: true; tick: Tick; watermark?: undefined; final?: undefined; event?: undefined }
  | { ok: true; watermark: number; final: boolean; tick?: undefined; event?: undefined }
  | { ok: true; event: TradeEvent; tick?: undefined; watermark?: undefined; final?: undefined }
  | { ok: false; reason: DeadLetterReason; message: string };

/** Decodes one record of `<ns>.ticks`. Never throws: every failure is a reason for the DLQ. */
export function decodeTick(value: Buffer | string | null): Decoded {
  if (value === null) return { ok: false, reason: 'parse_error', message: 'record has no value' };
  const size = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
  if (size > MAX_TICK_BYTES) return { ok: false, reason: 'too_large', message: `record of ${size} bytes exceeds the ${MAX_TICK_BYTES}-byte tick limit` };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: 'parse_error', message: `not JSON: ${(e as Error).message}` };
  }
  // The plain guard decides (same rules as the schema, much cheaper); zod only explains a rejection.
  if (isTick(json)) return { ok: true, tick: json };
  // A live source's watermark (about one a second per partition, so zod's cost does not matter).
  if (typeof json === 'object' && json !== null && 'watermark' in json) {
    const wm = LaneWatermark.safeParse(json);
    if (wm.success) return { ok: true, watermark: wm.data.watermark, final: wm.data.final === true };
  }
  // Cancels, corrections and corporate actions: rare, so zod decides.
  if (typeof json === 'object' && json !== null && 'type' in json) {
    const ev = parseTradeEvent(json);
    return ev.ok ? { ok: true, event: ev.event } : { ok: false, reason: 'invalid_tick', message: ev.message };
  }
  const parsed = Tick.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'invalid_tick', message: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, tick: parsed.data };
}

export function deadLetter(rec: InputRecord, topic: string, reason: DeadLetterReason, message: string, at: number): DeadLetter {
  const raw = rec.value === null ? '' : typeof rec.value === 'string' ? rec.value : rec.value.toString('utf8');
  return deadLetterOf({ reason, message, source: 'detector', origin: { topic, partition: rec.lane, offset: rec.offset }, raw, at });
}
