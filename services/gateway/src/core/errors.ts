/** The gateway's closed list of error codes (process-level failures; protocol errors are WsErrorCode frames). */
export const GatewayErrorCode = {
  startFailed: 'GATEWAY_START_FAILED',
  listenFailed: 'GATEWAY_LISTEN_FAILED',
  redisTimeout: 'GATEWAY_REDIS_TIMEOUT',
  badRecord: 'GATEWAY_BAD_RECORD',
  consumerFailed: 'GATEWAY_CONSUMER_FAILED',
} as const;
export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
