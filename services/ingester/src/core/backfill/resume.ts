import { WATERMARK_KEY } from '@rotation/schemas';

/**
 * Where history on the ticks topic ends, per partition, from its last records: the newest tick
 * event time, or the newest watermark (a promise that nothing older is still to come, so
 * nothing older may be added). A finite source's final watermark lets the detector evaluate the
 * step of its last tick, so that whole step is taken. Cancels, corrections and corporate actions
 * are not history (an action's time is when it was fetched) and are passed over. Any source
 * counts: history a replay already put on the topic is not fetched again.
 */
export function partitionEnd(records: ReadonlyArray<{ key: string | null; value: string | null }>, stepMs: number): number | undefined {
  let end: number | undefined;
  const take = (ts: number) => {
    if (Number.isFinite(ts) && (end === undefined || ts > end)) end = ts;
  };
  for (const r of records) {
    if (r.value === null) continue;
    let v: unknown;
    try {
      v = JSON.parse(r.value);
    } catch {
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    if (r.key === WATERMARK_KEY) {
      if (typeof o.watermark === 'number') take(o.final === true ? Math.ceil(o.watermark / stepMs) * stepMs : o.watermark);
    } else if (o.type === undefined && typeof o.ts === 'number' && typeof o.price === 'number') take(o.ts);
  }
  return end;
}
