/**
 * An instant's wall clock in New York, the market's own time: what the ingester dates bars by
 * and what `rotation watch` shows a trader. Read from the zone database, so every DST rule of
 * every year comes out right.
 */

/** Two digits a field (four for the year), hours 00-23, and the zone's abbreviation (EST or EDT). */
export interface NewYorkClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  zone: string;
}

// Built once: constructing a DateTimeFormat costs far more than using one.
const NEW_YORK = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** The New York wall clock of an instant (epoch ms or a Date); the milliseconds are not in it. */
export function newYorkClock(t: number | Date): NewYorkClock {
  const p: Record<string, string> = {};
  for (const part of NEW_YORK.formatToParts(t)) p[part.type] = part.value;
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second!, zone: p.timeZoneName! };
}
