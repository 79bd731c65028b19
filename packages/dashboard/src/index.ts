/** Node-side entry: building the bundle and where it lands (the gateway serves DIST_DIR). */
export { buildDashboard, DIST_DIR, isStale } from './build.js';
