import hdr from 'hdr-histogram-js';

/**
 * Latencies are recorded in microseconds into an HDR histogram (3 significant digits, so a
 * value is off by at most 0.1 %) and reported in milliseconds. The histogram has a fixed size
 * whatever the sample count, so a 10k-client fan-out does not keep millions of numbers.
 */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export type Histogram = hdr.Histogram;

export function createHistogram(): Histogram {
  // 1 µs .. 10 min; values above are clamped by the caller's recordMs.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 'packed' });
}

const MAX_US = 600_000_000;

export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(MAX_US, Math.max(1, us)));
}

export function summarize(h: Histogram): LatencySummary {
  const round = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50Ms: round(h.getValueAtPercentile(50)),
    p99Ms: round(h.getValueAtPercentile(99)),
    p999Ms: round(h.getValueAtPercentile(99.9)),
    maxMs: round(h.maxValue),
  };
}

/** Encoded histogram, so a load child can hand its whole distribution to the parent. */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(text: string): Histogram {
  return hdr.decodeFromCompressedBase64(text, 'packed', false);
}

/** Nearest-rank percentile of a small sample (used for a handful of repeated measurements). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function ratio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return Math.round((a / b) * 1000) / 1000;
}

/** Least-squares slope and intercept of y over x, for "memory grows linearly per symbol". */
export function linearFit(points: ReadonlyArray<{ x: number; y: number }>): { slope: number; intercept: number; r2: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}
