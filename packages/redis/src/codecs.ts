import { Alert, SnapshotRecord } from '@rotation/schemas';

/**
 * How each shared value is laid out in Redis, written once: the detector writes with these and
 * the gateway and the outbox read with them (docs/redis-keys.md). A reader gets `undefined` for
 * an entry that does not decode, never a half-read value.
 */
export type StreamEntry = [id: string, fields: string[]];

/** The value of `name` in a stream entry's flat field list. */
function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function parsed<T>(raw: string | undefined, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  if (raw === undefined) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** `<ns>:alerts:history`: entry ID `<seq>-0`, field `a` = the Alert's JSON (with its seq). */
export const alertHistoryCodec = {
  id: (seq: number): string => `${seq}-0`,
  fields: (alert: Alert): [string, string] => ['a', JSON.stringify(alert)],
  seqOf: (id: string): number => Number.parseInt(id, 10),
  /** The alert's JSON as stored, for a reader that forwards it as it is (the outbox). */
  rawOf: (fields: readonly string[]): string | undefined => fieldOf(fields, 'a'),
  decode([id, fields]: StreamEntry): (Alert & { seq: number }) | undefined {
    const seq = alertHistoryCodec.seqOf(id);
    const alert = parsed(fieldOf(fields, 'a'), Alert);
    return alert && Number.isSafeInteger(seq) ? { ...alert, seq } : undefined;
  },
} as const;

/** `<ns>:snapshot`: the JSON SnapshotRecord; its version is also the detector's version key. */
export const snapshotCodec = {
  encode: (record: SnapshotRecord): string => JSON.stringify(record),
  decode: (raw: string | null | undefined): SnapshotRecord | undefined => parsed(raw ?? undefined, SnapshotRecord),
} as const;

/** `<ns>:history:window:<w>` and `<ns>:history:rrg`: entry ID `<event time ms>-0`, field `p` = the entry's JSON. */
export const historyPointCodec = {
  id: (eventTimeMs: number): string => `${eventTimeMs}-0`,
  fields: (entry: unknown): [string, string] => ['p', JSON.stringify(entry)],
  /** The entry's JSON as stored; the gateway validates it where it builds the page. */
  rawOf: (fields: readonly string[]): string | undefined => fieldOf(fields, 'p'),
} as const;
