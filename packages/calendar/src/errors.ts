/** The calendar package's closed list of error codes. */
export const CalendarErrorCode = {
  unknownCalendar: 'CALENDAR_UNKNOWN',
  invalidDate: 'CALENDAR_INVALID_DATE',
  invalidTime: 'CALENDAR_INVALID_TIME',
} as const;
export type CalendarErrorCode = (typeof CalendarErrorCode)[keyof typeof CalendarErrorCode];

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
  constructor(
    readonly code: CalendarErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
