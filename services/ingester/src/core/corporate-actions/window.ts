/**
 * The ex-date window a live start asks the providers for: from `lookbackDays` before today to
 * `lookaheadDays` after it, as YYYY-MM-DD. "Today" is the New York calendar date, the one
 * ex-dates are written in: at 21:00 ET on the 5th, UTC already says the 6th.
 */
export interface ActionWindow {
  start: string;
  end: string;
}

const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
const DAY_MS = 86_400_000;

export function newYorkDate(nowMs: number): string {
  return NEW_YORK_DATE.format(new Date(nowMs));
}

export function actionWindow(nowMs: number, lookbackDays: number, lookaheadDays: number): ActionWindow {
  if (!(Number.isInteger(lookbackDays) && lookbackDays >= 0 && Number.isInteger(lookaheadDays) && lookaheadDays >= 0)) {
    throw new RangeError('actionWindow: lookbackDays and lookaheadDays must be integers >= 0');
  }
  const today = Date.parse(`${newYorkDate(nowMs)}T00:00:00Z`);
  return { start: isoDate(today - lookbackDays * DAY_MS), end: isoDate(today + lookaheadDays * DAY_MS) };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
