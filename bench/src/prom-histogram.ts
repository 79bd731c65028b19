/**
 * Quantiles of a Prometheus histogram between two scrapes, for the hops only a service can time
 * (the detector's batch phases). Interpolated linearly inside a bucket, as PromQL's
 * histogram_quantile does, so a value is only as fine as the bucket bounds around it.
 */

/** Cumulative bucket counts of one series: le (seconds, Infinity for +Inf) -> count. */
export type Buckets = Map<number, number>;

/** `name_bucket{...label="value"...,le="x"} n` lines of one label value, from a /metrics text. */
export function parseBuckets(text: string, name: string, label: { name: string; value: string }): Buckets {
  const out: Buckets = new Map();
  const prefix = `${name}_bucket{`;
  const want = `${label.name}="${label.value}"`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.indexOf('}');
    const labels = line.slice(prefix.length, close);
    if (!labels.split(',').includes(want)) continue;
    const le = /(?:^|,)le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined) continue;
    out.set(le === '+Inf' ? Infinity : Number(le), Number(line.slice(close + 1).trim()));
  }
  return out;
}

/** after - before, bucket by bucket (a counter only grows; a missing "before" is zero). */
export function diffBuckets(after: Buckets, before: Buckets): Buckets {
  const out: Buckets = new Map();
  for (const [le, n] of after) out.set(le, n - (before.get(le) ?? 0));
  return out;
}

/** The q-quantile (0..1) in seconds, null without observations; the +Inf bucket answers its lower bound. */
export function bucketQuantile(buckets: Buckets, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length ? buckets.get(bounds[bounds.length - 1]!)! : 0);
  if (!total) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const count = buckets.get(le)!;
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      const inBucket = count - prevCount;
      return inBucket === 0 ? le : prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

export function bucketCount(buckets: Buckets): number {
  return buckets.get(Infinity) ?? 0;
}
