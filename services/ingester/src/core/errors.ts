/** The ingester's closed list of error codes. Bad input is never an error: it is a dead letter. */
export const IngesterErrorCode = {
  usage: 'INGESTER_USAGE',
  fileUnreadable: 'INGESTER_FILE_UNREADABLE',
  unknownFormat: 'INGESTER_UNKNOWN_FORMAT',
  unknownScenario: 'INGESTER_UNKNOWN_SCENARIO',
  publishFailed: 'INGESTER_PUBLISH_FAILED',
} as const;
export type IngesterErrorCode = (typeof IngesterErrorCode)[keyof typeof IngesterErrorCode];

export class IngesterError extends Error {
  override readonly name = 'IngesterError';
  constructor(
    readonly code: IngesterErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
