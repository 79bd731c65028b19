/**
 * r = P(t) / P(t - w) - 1, in percent. Null when either price is unknown; prices are positive
 * by the tick schema, so the division is safe.
 */
export function returnPct(now: number, then: number): number | null {
  if (!Number.isFinite(now) || !Number.isFinite(then)) return null;
  return (now / then - 1) * 100;
}

/**
 * A basket's return is the equal-weighted mean of its members' returns over the same window
 * (weights set equal at the window's start and held). Null unless every member has one: a
 * partial basket would silently become a different basket.
 */
export function basketReturnPct(memberReturns: ReadonlyArray<number | null>): number | null {
  if (memberReturns.length === 0) return null;
  let sum = 0;
  for (const r of memberReturns) {
    if (r === null) return null;
    sum += r;
  }
  return sum / memberReturns.length;
}
