/**
 * Exit codes every service keeps (docs/operations.md lists them): a supervisor or a script can
 * tell a wrong invocation from a crash and a clean stop from one cut short by its deadline.
 */
export const ExitCode = {
  /** Done, or stopped by a signal after finishing and committing. */
  ok: 0,
  /** A fatal error at start-up or while running. */
  failure: 1,
  /** A usage or configuration error: nothing was started. */
  usage: 2,
  /** Stopped at the shutdown deadline (or, for the ingester, with records the broker never acknowledged). */
  incomplete: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  stopped cleanly (input done, or a signal after finishing and committing)
  1  fatal error
  2  usage or configuration error (nothing started)
  3  shutdown deadline reached, or records the broker did not acknowledge`;
