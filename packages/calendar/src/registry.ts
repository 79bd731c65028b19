import { CalendarError, CalendarErrorCode } from './errors.js';
import type { ExchangeRules } from './rules.js';
import { SessionCalendar } from './session-calendar.js';
import type { ExchangeCalendar } from './types.js';
import { XNYS } from './xnys.js';

const RULES: Readonly<Record<string, ExchangeRules>> = { XNYS };

export const CALENDAR_NAMES: readonly string[] = Object.freeze(Object.keys(RULES));

/** One instance per name: built years and the lookup cache are shared by every caller. */
const instances = new Map<string, ExchangeCalendar>();

export function getCalendar(name: string): ExchangeCalendar {
  const rules = Object.hasOwn(RULES, name) ? RULES[name] : undefined;
  if (rules === undefined) {
    throw new CalendarError(CalendarErrorCode.unknownCalendar, `unknown calendar "${name}"; known calendars: ${CALENDAR_NAMES.join(', ')}`, {
      name,
      known: CALENDAR_NAMES,
    });
  }
  let calendar = instances.get(name);
  if (calendar === undefined) {
    calendar = new SessionCalendar(rules);
    instances.set(name, calendar);
  }
  return calendar;
}
