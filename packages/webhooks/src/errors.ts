/** The webhooks package's closed list of error codes. */
export const WebhookErrorCode = {
  /** Sinks given to the dispatcher in code are inconsistent (the file loader reports ConfigError instead). */
  invalidSinks: 'WEBHOOK_INVALID_SINKS',
} as const;
export type WebhookErrorCode = (typeof WebhookErrorCode)[keyof typeof WebhookErrorCode];

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
