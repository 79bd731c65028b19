export type { ExchangeCalendar, Phase, Session } from './types.js';
export { CALENDAR_NAMES, getCalendar } from './registry.js';
export { CalendarError, CalendarErrorCode } from './errors.js';
export { newYorkClock, type NewYorkClock } from './new-york.js';
