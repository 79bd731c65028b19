/**
 * The deployment files hold together without a cluster or a Docker engine:
 * - infra/k8s (kustomize): every object validates against the Kubernetes JSON schemas that the
 *   kubernetes-models package ships (Kubernetes 1.27, offline); where kubectl is installed the
 *   output of `kubectl kustomize` is validated too; and the properties the services rely on hold
 *   (probes on /healthz and /readyz, no service links, a grace period above the shutdown
 *   deadline, non-root, the detector's standby and its PDB, the gateway's Service and HPA, a
 *   ConfigMap the configuration schema accepts).
 * - docker-compose.yml: Kafka's log directory is on the volume, services wait for healthy
 *   dependencies and get a stop grace period above the deadline (`docker compose config` runs in
 *   `pnpm docs:check` where a docker client exists).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parseEnv, REPO_ROOT } from '@rotation/config';

const K8S = path.join(REPO_ROOT, 'infra', 'k8s');
/** The default of DETECTOR_/GATEWAY_/INGESTER_SHUTDOWN_TIMEOUT_MS, in seconds. */
const SHUTDOWN_S = 10;

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function validate(objects: Obj[]): void {
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) throw new Error(`${o.kind} ${o.metadata.name}: no schema for ${o.apiVersion}/${o.kind}`);
    expect(() => new Model(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
  }
}

function loadBase(): Obj[] {
  const kustomization = parseYaml(readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return kustomization.resources.flatMap((file) => {
    expect(existsSync(path.join(K8S, file)), file).toBe(true);
    return parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).map((d) => d.toJS() as Obj);
  });
}

const objects = loadBase();
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const deployments = objects.filter((o) => o.kind === 'Deployment');

describe('Kubernetes manifests (infra/k8s)', () => {
  it('every object of the base validates against the Kubernetes schemas', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/rotation-config',
      'Deployment/detector',
      'Deployment/gateway',
      'Deployment/ingester',
      'HorizontalPodAutoscaler/gateway',
      'PodDisruptionBudget/detector',
      'PodDisruptionBudget/gateway',
      'Service/gateway',
    ]);
    validate(objects);
  });

  it('kubectl kustomize output validates too (where kubectl is installed)', (ctx) => {
    const run = spawnSync('kubectl', ['kustomize', K8S], { encoding: 'utf8' });
    if (run.error) return ctx.skip();
    expect(run.status, run.stderr).toBe(0);
    const built = parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj);
    expect(built).toHaveLength(objects.length);
    validate(built);
    for (const o of built) expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('rotation-stream');
    expect(built.filter((o) => o.kind === 'Deployment').map((d) => d.spec.template.spec.containers[0].image).sort()).toEqual(['rotation-detector:0.2.0', 'rotation-gateway:0.2.0', 'rotation-ingester:0.2.0']);
  });

  it.each(['ingester', 'detector', 'gateway'])('%s: probes on /healthz and /readyz, no service links, grace above the deadline, non-root, config from the ConfigMap', (name) => {
    const pod = find('Deployment', name)!.spec.template.spec;
    const [c] = pod.containers;
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_S + 5);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    const port = c.ports.find((p: { name: string }) => p.name === c.livenessProbe.httpGet.port);
    expect(port).toBeDefined();
    expect(c.readinessProbe.httpGet.port).toBe(port.name);
    // The port the probes hit is the one the service listens on.
    const portVar = { ingester: 'INGESTER_HTTP_PORT', detector: 'DETECTOR_HTTP_PORT', gateway: 'GATEWAY_PORT' }[name]!;
    expect(c.env.find((e: { name: string }) => e.name === portVar)?.value).toBe(String(port.containerPort));
    expect(c.envFrom.map((e: { configMapRef?: { name: string } }) => e.configMapRef?.name).filter(Boolean)).toEqual(['rotation-config']);
    expect(c.resources.requests).toBeDefined();
  });

  it('the ConfigMap and each container environment pass the configuration schema', () => {
    const data = find('ConfigMap', 'rotation-config')!.data!;
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      const env: Record<string, string> = { ...data };
      for (const e of c.env as Array<{ name: string; value?: string }>) env[e.name] = e.value ?? 'from-the-pod';
      expect(() => parseEnv(env), d.metadata.name).not.toThrow();
    }
  });

  it('detector: an active and a hot standby, kept through drains by a PodDisruptionBudget', () => {
    const d = find('Deployment', 'detector')!;
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pdb = find('PodDisruptionBudget', 'detector')!;
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
  });

  it('gateway: N replicas behind a Service on its port, scaled by an HPA, a PDB', () => {
    const d = find('Deployment', 'gateway')!;
    const svc = find('Service', 'gateway')!;
    const hpa = find('HorizontalPodAutoscaler', 'gateway')!;
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
    expect(d.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name)).toContain(svc.spec.ports[0].targetPort);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.spec.minReplicas).toBe(d.spec.replicas);
    expect(find('PodDisruptionBudget', 'gateway')!.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
  });

  it('a Service named gateway would inject GATEWAY_PORT=tcp://…, which the configuration refuses naming enableServiceLinks', () => {
    expect(() => parseEnv({ GATEWAY_PORT: 'tcp://10.96.0.7:8080', GATEWAY_SERVICE_HOST: '10.96.0.7' })).toThrow(/enableServiceLinks: false/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parseYaml(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; volumes?: string[]; depends_on?: Record<string, { condition: string }>; stop_grace_period?: string; healthcheck?: unknown; build?: { target: string } }>;
  };

  it("keeps Kafka's data on the volume", () => {
    const kafka = compose.services.kafka!;
    const logDirs = kafka.environment!.KAFKA_LOG_DIRS!;
    expect(kafka.volumes!.map((v) => v.split(':')[1])).toContain(logDirs);
    expect(kafka.healthcheck).toBeDefined();
  });

  it.each(['ingester', 'detector', 'gateway'])('%s: built from its image target, waits for healthy dependencies, grace above the deadline', (name) => {
    const s = compose.services[name]!;
    expect(s.build!.target).toBe(name);
    expect(s.depends_on!.kafka!.condition).toBe('service_healthy');
    expect(s.depends_on!.redis!.condition).toBe('service_healthy');
    expect(Number(/^(\d+)s$/.exec(s.stop_grace_period!)![1])).toBeGreaterThan(SHUTDOWN_S + 5);
  });
});

describe('infra/docker/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'infra', 'docker', 'Dockerfile'), 'utf8');

  it("copies every workspace package's manifest (and the patches) before the install, so the frozen install sees the whole workspace", () => {
    const workspace = parseYaml(readFileSync(path.join(REPO_ROOT, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[]; patchedDependencies?: Record<string, string> };
    const dirs = workspace.packages.flatMap((glob) => {
      if (!glob.endsWith('/*')) return [glob];
      const parent = glob.slice(0, -2);
      return readdirSync(path.join(REPO_ROOT, parent), { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(path.join(REPO_ROOT, parent, d.name, 'package.json'))).map((d) => `${parent}/${d.name}`);
    });
    const install = dockerfile.indexOf('RUN pnpm install --frozen-lockfile');
    for (const dir of dirs) {
      const at = dockerfile.indexOf(`COPY ${dir}/package.json ${dir}/`);
      expect(at, dir).toBeGreaterThan(-1);
      expect(at, dir).toBeLessThan(install);
    }
    if (workspace.patchedDependencies) expect(dockerfile.indexOf('COPY patches patches/')).toBeLessThan(install);
  });

  it('has one target per service, each running its bundle as non-root with a HEALTHCHECK', () => {
    for (const service of ['ingester', 'detector', 'gateway']) {
      expect(dockerfile).toContain(`FROM runtime AS ${service}`);
      expect(dockerfile).toContain(`ENTRYPOINT ["node", "/app/services/${service}/dist/main.js"]`);
    }
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*healthcheck\.mjs/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
  });
});
