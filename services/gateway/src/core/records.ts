/**
 * A Kafka record value through its schema: undefined for no value, bad JSON or a schema
 * mismatch (the callers count and log those; a bad record never throws out of a consumer).
 */
export function parseRecord<T>(value: Buffer | null, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  if (!value) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(value.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
