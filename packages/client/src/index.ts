export { RotationClient, createClient, realScheduler, type ClientOptions, type ClientStatus, type ClientEvents, type AlertMeta, type AlertSource, type StateUpdate, type GapInfo, type ResyncInfo, type Scheduler } from './client.js';
export { ClientError, ClientErrorCode } from './errors.js';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { judgeEvent, planSubscribe, type Cursor, type EventVerdict, type SubscribePlan } from './cursors.js';
export { mergeState, mergeRows, rowKey, type Merged } from './merge.js';
export { decodeFrame, parseStateData, type Decoded, type StateValues } from './frames.js';
export { TypedEmitter, type Listener } from './emitter.js';
export { isAlertChannel, isStateChannel, STATE_CHANNELS, type AlertChannel } from './channels.js';
export { connectUrl, httpStatusOf, type WebSocketConstructor, type WebSocketLike } from './socket.js';
