import { defineErrors, type CodeOf } from '@rotation/errors';

/** The config package's closed list of error codes. */
export const ConfigErrorCode = {
  invalidEnv: 'CONFIG_INVALID_ENV',
  unknownEnv: 'CONFIG_UNKNOWN_ENV',
  fileUnreadable: 'CONFIG_FILE_UNREADABLE',
  fileNotJson: 'CONFIG_FILE_NOT_JSON',
  invalidFile: 'CONFIG_INVALID_FILE',
} as const;
export type ConfigErrorCode = CodeOf<typeof ConfigErrorCode>;

export interface ConfigIssue {
  /** Dotted path of the failing value, e.g. `sectors[2].name` or `GATEWAY_PORT`. */
  path: string;
  message: string;
}

export class ConfigError extends defineErrors('ConfigError', 'CONFIG_', ConfigErrorCode) {
  constructor(
    code: ConfigErrorCode,
    readonly source: string,
    readonly issues: ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(code, `${source}: invalid configuration\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, { source }, options);
  }
}
