/** Small numeric helpers shared by the analytics; each is tested against hand-computed values. */

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divides by n - 1, as pandas' rolling std does). NaN below 2 values. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** (x - mean(xs)) / sd(xs); null when sd is 0 or undefined (a flat or too short lookback). */
export function zScore(x: number, xs: readonly number[]): number | null {
  const sd = sampleSd(xs);
  if (!Number.isFinite(sd) || sd === 0) return null;
  return (x - mean(xs)) / sd;
}

/** One EMA update with smoothing alpha; the first value seeds the average. */
export function emaStep(prev: number | null, x: number, alpha: number): number {
  return prev === null ? x : prev + alpha * (x - prev);
}

/** The usual span-to-alpha conversion: alpha = 2 / (n + 1). */
export function emaAlpha(span: number): number {
  return 2 / (span + 1);
}

/**
 * Spearman's rho between two orderings of the same items (best first, no ties):
 * rho = 1 - 6 * sum(d^2) / (n (n^2 - 1)). Null when the item sets differ or n < 2.
 */
export function spearmanRho(a: readonly string[], b: readonly string[]): number | null {
  const n = a.length;
  if (n < 2 || b.length !== n) return null;
  const rankB = new Map<string, number>();
  b.forEach((s, i) => rankB.set(s, i));
  let sumD2 = 0;
  for (let i = 0; i < n; i++) {
    const j = rankB.get(a[i]!);
    if (j === undefined) return null;
    sumD2 += (i - j) * (i - j);
  }
  return 1 - (6 * sumD2) / (n * (n * n - 1));
}

/** Appends x and drops the oldest values beyond `max` (bounded trailing window). */
export function pushBounded(xs: number[], x: number, max: number): void {
  xs.push(x);
  if (xs.length > max) xs.splice(0, xs.length - max);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
