/**
 * A daily bar's close happens at 16:00 America/New_York, which is 21:00 UTC in winter (EST)
 * and 20:00 UTC in summer (EDT). The offset comes from the runtime's time-zone database
 * rather than a hand-written DST rule, so dates before the 2007 rule change are right too.
 */
const nyHour = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function usMarketCloseUtc(date: string): number | undefined {
  const m = DATE.exec(date.trim());
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  const est = Date.UTC(y, mo - 1, d, 21);
  // 21:00 UTC is 16:00 in EST; in EDT it is 17:00, and the close was an hour earlier.
  return Number(nyHour.format(est)) === 16 ? est : est - 3_600_000;
}
