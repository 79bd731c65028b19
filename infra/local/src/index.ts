/**
 * The launcher's parts for tools and tests outside the package (bench, test setup): the local
 * broker and Redis, ports, process helpers, bundles. Its CLIs are `src/cli.ts` and `src/start.ts`.
 */
export * from './bundle.js';
export * from './classpath.js';
export * from './containers.js';
export * from './kafka-broker.js';
export * from './ports.js';
export * from './process.js';
export * from './redis-server.js';
export * from './state.js';
export * from './demo-plan.js';
