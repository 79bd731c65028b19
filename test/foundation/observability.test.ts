/**
 * The metrics follow the Prometheus conventions (`promtool check metrics`, Debian's prometheus
 * package; .ci/run installs it), every service names its process metrics the same way, and the
 * Grafana dashboard (infra/grafana/rotation-pipeline.json) is valid JSON that queries only
 * metrics the services export.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@rotation/config';
import { createDetectorMetrics } from '@rotation/detector';
import { createGatewayMetrics } from '@rotation/gateway';
import { createIngesterMetrics } from '@rotation/ingester';

const REGISTRIES: Record<string, () => Registry> = {
  ingester: () => createIngesterMetrics().registry,
  detector: () => createDetectorMetrics().registry,
  gateway: () => createGatewayMetrics().registry,
};
const DASHBOARD = path.join(REPO_ROOT, 'infra', 'grafana', 'rotation-pipeline.json');

/** Every series name a registry can expose (histograms as their _bucket, _sum and _count). */
async function seriesNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    const type = String(m.type);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'le']);

/** The metric names a PromQL expression reads (label matchers, ranges, grouping and variables removed). */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\$\w+/g, '');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((w) => w.includes('_') && !PROMQL_WORDS.has(w));
}

describe('metrics', () => {
  it.each(Object.keys(REGISTRIES))('%s: promtool check metrics finds nothing', async (service) => {
    const text = await REGISTRIES[service]!().metrics();
    const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (run.error) throw new Error(`promtool is needed (Debian: apt-get install prometheus; .ci/run installs it): ${run.error.message}`);
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it.each(Object.keys(REGISTRIES))('%s: every name is <service>_*, or process_* / nodejs_* as in every other service', async (service) => {
    const names = [...(await seriesNames(REGISTRIES[service]!()))];
    expect(names.filter((n) => !n.startsWith(`${service}_`) && !n.startsWith('process_') && !n.startsWith('nodejs_'))).toEqual([]);
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_eventloop_lag_p99_seconds');
  });
});

describe('Grafana dashboard', () => {
  it('is valid JSON with panels whose queries read only exported metrics, covering every service', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> };
    expect(dashboard.uid).toBe('rotation-pipeline');
    const known = new Set<string>();
    for (const make of Object.values(REGISTRIES)) for (const n of await seriesNames(make())) known.add(n);
    const queried = dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricsIn(t.expr).map((metric) => ({ panel: p.title, metric }))));
    expect(queried.length).toBeGreaterThan(20);
    expect(queried.filter((q) => !known.has(q.metric))).toEqual([]);
    for (const service of Object.keys(REGISTRIES)) expect(queried.some((q) => q.metric.startsWith(`${service}_`))).toBe(true);
    expect(queried.map((q) => q.metric)).toEqual(expect.arrayContaining(['gateway_alert_event_to_send_seconds_bucket', 'detector_event_to_commit_seconds_bucket', 'ingester_feed_connected']));
  });

  it('the query parser finds metric names and nothing else', () => {
    expect(metricsIn('histogram_quantile(0.95, sum by (le, job) (rate(a_b_bucket{job=~"$x", le!="1"}[$__rate_interval])))')).toEqual(['a_b_bucket']);
    expect(metricsIn('time() - max(x_y_timestamp_seconds{instance="a_b"})')).toEqual(['x_y_timestamp_seconds']);
  });
});
