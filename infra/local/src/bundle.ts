/**
 * Builds what the container images run (infra/docker/Dockerfile), laid out as in the repository
 * so the code's own defaults (config/universe.json, the dashboard's dist/) resolve unchanged:
 *   <out>/services/<svc>/dist/main.js   one ESM file per service, every dependency bundled
 *   <out>/packages/dashboard/dist/      the dashboard the gateway serves at /
 *   <out>/config/universe.json          the default universe
 *   <out>/healthcheck.mjs               the images' HEALTHCHECK
 * Bundling everything leaves the image with no node_modules: production code only, no tsx.
 *   tsx infra/local/src/bundle.ts <out>
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { REPO_ROOT } from '@rotation/config';
import { buildDashboard } from '@rotation/dashboard';

export const SERVICES = ['ingester', 'detector', 'gateway'] as const;

// CommonJS dependencies (kafkajs, ioredis, pino) call require() for Node built-ins: an ESM bundle needs one.
const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Optional native speed-ups of ws that are not installed; ws falls back to JavaScript without them. */
const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];

const HEALTHCHECK = `// HEALTHCHECK of the rotation images: GET /healthz on the service's own port; exit 0 when it answers 200.
const service = process.env.SERVICE;
const ports = { gateway: process.env.GATEWAY_PORT || '8080', detector: process.env.DETECTOR_HTTP_PORT || '9465', ingester: process.env.INGESTER_HTTP_PORT || '9464' };
const port = ports[service];
if (!port || port === '0') process.exit(0); // nothing served: nothing to check
fetch('http://127.0.0.1:' + port + '/healthz', { signal: AbortSignal.timeout(4000) }).then(
  (r) => process.exit(r.status === 200 ? 0 : 1),
  () => process.exit(1),
);
`;

export async function bundleServices(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  for (const service of SERVICES) {
    await build({
      entryPoints: [path.join(REPO_ROOT, 'services', service, 'src', 'main.ts')],
      outfile: path.join(outDir, 'services', service, 'dist', 'main.js'),
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      banner: { js: BANNER },
      external: OPTIONAL_NATIVE,
      sourcemap: 'linked',
      legalComments: 'linked',
      logLevel: 'warning',
    });
    // The bundle is ESM whatever the nearest package.json says.
    await writeFile(path.join(outDir, 'services', service, 'package.json'), '{ "type": "module" }\n');
  }
  await buildDashboard(path.join(outDir, 'packages', 'dashboard', 'dist'));
  await mkdir(path.join(outDir, 'config'), { recursive: true });
  await copyFile(path.join(REPO_ROOT, 'config', 'universe.json'), path.join(outDir, 'config', 'universe.json'));
  await writeFile(path.join(outDir, 'healthcheck.mjs'), HEALTHCHECK);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: tsx infra/local/src/bundle.ts <out-dir>');
    process.exit(2);
  }
  const t0 = Date.now();
  await bundleServices(path.resolve(out));
  console.log(`bundled ${SERVICES.join(', ')} and the dashboard into ${out} in ${Date.now() - t0} ms`);
}
