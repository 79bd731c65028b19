import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's defaults that break the Prometheus naming rules (`promtool check metrics`):
 * gauges whose names end in `_total`, which only counters may. `nodejs_active_resources{type}`
 * (also a default) carries the same counts per resource type.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * The process metrics every service exports, under one naming: prom-client's unprefixed
 * `process_*` and `nodejs_*` (the scrape job tells the services apart), less the misnamed ones.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
}
