/** The detector's closed list of error codes. Bad ticks are never errors: they are dead letters. */
export const DetectorErrorCode = {
  invalidSettings: 'DETECTOR_INVALID_SETTINGS',
  stateCorrupt: 'DETECTOR_STATE_CORRUPT',
  commitFailed: 'DETECTOR_COMMIT_FAILED',
  fenced: 'DETECTOR_FENCED',
  publishFailed: 'DETECTOR_PUBLISH_FAILED',
  stopped: 'DETECTOR_STOPPED',
} as const;
export type DetectorErrorCode = (typeof DetectorErrorCode)[keyof typeof DetectorErrorCode];

export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  constructor(
    readonly code: DetectorErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
