import { DAY_MS } from './civil.js';

const HOUR_MS = 3_600_000;

export type ZoneFormatter = Intl.DateTimeFormat;

/** Built once per calendar: constructing a DateTimeFormat costs far more than using one. */
export function zoneFormatter(timeZone: string): ZoneFormatter {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
}

/**
 * Local time minus UTC (ms; -5 h for New York in winter) on the given epoch day, read from the
 * zone database so the pre-2007 US DST rules come out right. One reading per day suffices for
 * trading days: US clocks change at 02:00 on a Sunday, never during a weekday.
 */
export function zoneOffsetMs(fmt: ZoneFormatter, epochDay: number): number {
  // 12:00Z is the morning of the same date anywhere in the Americas.
  const probe = epochDay * DAY_MS + 12 * HOUR_MS;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  for (const part of fmt.formatToParts(probe)) {
    if (part.type === 'year') y = Number(part.value);
    else if (part.type === 'month') mo = Number(part.value);
    else if (part.type === 'day') d = Number(part.value);
    else if (part.type === 'hour') h = Number(part.value);
    else if (part.type === 'minute') mi = Number(part.value);
  }
  return Date.UTC(y, mo - 1, d, h, mi) - probe;
}
