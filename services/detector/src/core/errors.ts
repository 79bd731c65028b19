import { defineErrors, type CodeOf } from '@rotation/errors';

/** The detector's closed list of error codes. Bad ticks are never errors: they are dead letters. */
export const DetectorErrorCode = {
  invalidSettings: 'DETECTOR_INVALID_SETTINGS',
  stateCorrupt: 'DETECTOR_STATE_CORRUPT',
  commitFailed: 'DETECTOR_COMMIT_FAILED',
  fenced: 'DETECTOR_FENCED',
  stopped: 'DETECTOR_STOPPED',
} as const;
export type DetectorErrorCode = CodeOf<typeof DetectorErrorCode>;

export class DetectorError extends defineErrors('DetectorError', 'DETECTOR_', DetectorErrorCode) {}
