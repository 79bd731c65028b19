export { WebhookDispatcher, dispatcherFromFile, type DispatcherOptions } from './dispatcher.js';
export { SinkWorker, type DeadLetterEntry, type DeadLetterReason, type SinkStats, type Settlement } from './sink.js';
export { SinkConfig, WebhooksFile, loadWebhooksFile, parseWebhooksFile, MAX_FILE_BYTES, type SinkConfigInput } from './config.js';
export { signBody, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, type VerifyInput, type VerifyResult } from './sign.js';
export { acceptsAlert, type AlertFilter } from './filter.js';
export { retryDelay, classifyStatus, parseRetryAfter, type RetryBackoff, type Outcome } from './retry.js';
export { jsonBody, slackBody, escapeSlack } from './body.js';
export { WebhookError, WebhookErrorCode } from './errors.js';
