export * from './primitives.js';
export * from './tick.js';
export * from './dead-letter.js';
export * from './alert.js';
export * from './snapshot.js';
export * from './websocket.js';
export * from './topics.js';
export { registry } from './registry.js';
