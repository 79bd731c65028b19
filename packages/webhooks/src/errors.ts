import { defineErrors, type CodeOf } from '@rotation/errors';

/** The webhooks package's closed list of error codes. */
export const WebhookErrorCode = {
  /** Sinks given to the dispatcher in code are inconsistent (the file loader reports ConfigError instead). */
  invalidSinks: 'WEBHOOK_INVALID_SINKS',
  /** A sink's host resolved to a loopback, private or link-local address and those are not allowed. */
  targetRefused: 'WEBHOOK_TARGET_REFUSED',
} as const;
export type WebhookErrorCode = CodeOf<typeof WebhookErrorCode>;

export class WebhookError extends defineErrors('WebhookError', 'WEBHOOK_', WebhookErrorCode) {}
