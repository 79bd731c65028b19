export { startGateway, tuningFrom, type RunningGateway, type StartOptions, type GatewayTuning } from './main.js';
export { STREAM_PATH } from './adapters/server.js';
export { createMetrics as createGatewayMetrics } from './adapters/metrics.js';
