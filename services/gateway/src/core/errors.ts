import { defineErrors, type CodeOf } from '@rotation/errors';

/** The gateway's closed list of error codes (process-level failures; protocol errors are WsErrorCode frames). */
export const GatewayErrorCode = {
  startFailed: 'GATEWAY_START_FAILED',
  listenFailed: 'GATEWAY_LISTEN_FAILED',
  redisTimeout: 'GATEWAY_REDIS_TIMEOUT',
} as const;
export type GatewayErrorCode = CodeOf<typeof GatewayErrorCode>;

export class GatewayError extends defineErrors('GatewayError', 'GATEWAY_', GatewayErrorCode) {}
