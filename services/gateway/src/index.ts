export { startGateway, DEFAULT_TUNING, type RunningGateway, type StartOptions, type GatewayTuning } from './main.js';
export { STREAM_PATH } from './adapters/server.js';
