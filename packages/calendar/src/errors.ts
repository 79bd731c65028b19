import { defineErrors, type CodeOf } from '@rotation/errors';

/** The calendar package's closed list of error codes. */
export const CalendarErrorCode = {
  unknownCalendar: 'CALENDAR_UNKNOWN',
  invalidDate: 'CALENDAR_INVALID_DATE',
  invalidTime: 'CALENDAR_INVALID_TIME',
} as const;
export type CalendarErrorCode = CodeOf<typeof CalendarErrorCode>;

export class CalendarError extends defineErrors('CalendarError', 'CALENDAR_', CalendarErrorCode) {}
