// Lays out the static page in dist/: the page's own files and the two ES modules it imports,
// copied from node_modules (@rotation/client's browser bundle, lightweight-charts' standalone
// build). Outside this repository the same works after `npm install @rotation/client
// lightweight-charts`. Usage: node build.mjs [outDir]
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = (name) => path.dirname(require.resolve(`${name}/package.json`));

export async function buildExample(outDir = path.join(here, 'dist')) {
  const vendor = {
    'rotation-client.js': path.join(pkgDir('@rotation/client'), 'dist', 'rotation-client.bundle.js'),
    'lightweight-charts.mjs': path.join(pkgDir('lightweight-charts'), 'dist', 'lightweight-charts.standalone.production.mjs'),
  };
  for (const [name, from] of Object.entries(vendor)) {
    if (!(await stat(from).catch(() => undefined))) throw new Error(`${from} is missing (for vendor/${name}); in this repository run: pnpm --filter @rotation/client build`);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(outDir, 'vendor'), { recursive: true });
  await Promise.all([
    ...['index.html', 'app.js', 'style.css'].map((f) => copyFile(path.join(here, f), path.join(outDir, f))),
    ...Object.entries(vendor).map(([name, from]) => copyFile(from, path.join(outDir, 'vendor', name))),
  ]);
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildExample(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`example laid out in ${path.relative(process.cwd(), out) || out}`);
}
