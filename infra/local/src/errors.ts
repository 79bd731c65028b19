import { defineErrors, type CodeOf } from '@rotation/errors';

/** The launcher's closed list of error codes. */
export const InfraErrorCode = {
  javaMissing: 'INFRA_JAVA_MISSING',
  mavenFailed: 'INFRA_MAVEN_FAILED',
  formatFailed: 'INFRA_FORMAT_FAILED',
  startTimeout: 'INFRA_START_TIMEOUT',
  exitedEarly: 'INFRA_EXITED_EARLY',
  redisMissing: 'INFRA_REDIS_MISSING',
} as const;
export type InfraErrorCode = CodeOf<typeof InfraErrorCode>;

export class InfraError extends defineErrors('InfraError', 'INFRA_', InfraErrorCode) {}
