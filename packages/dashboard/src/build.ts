/**
 * Bundles the dashboard into dist/ (index.html, app.js, style.css): one self-contained folder the
 * gateway serves at `/`, with Chart.js inside app.js so the page needs no CDN.
 *   pnpm --filter @rotation/dashboard build            (always)
 *   tsx packages/dashboard/src/build.ts --if-stale     (only when a source is newer than dist/)
 */
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(PACKAGE_DIR, 'dist');
const STATIC_FILES = ['index.html', 'style.css'] as const;

export async function buildDashboard(outDir: string = DIST_DIR): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(PACKAGE_DIR, 'src', 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await Promise.all(STATIC_FILES.map((f) => copyFile(path.join(PACKAGE_DIR, 'static', f), path.join(outDir, f))));
}

/** True when dist/ is missing a file or any source (src, static, package.json) is newer than app.js. */
export async function isStale(outDir: string = DIST_DIR): Promise<boolean> {
  const built = await stat(path.join(outDir, 'app.js')).catch(() => undefined);
  if (!built) return true;
  for (const f of STATIC_FILES) if (!(await stat(path.join(outDir, f)).catch(() => undefined))) return true;
  const newest = Math.max(await newestMtime(path.join(PACKAGE_DIR, 'src')), await newestMtime(path.join(PACKAGE_DIR, 'static')), (await stat(path.join(PACKAGE_DIR, 'package.json'))).mtimeMs);
  return newest > built.mtimeMs;
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rel = path.relative(process.cwd(), DIST_DIR) || DIST_DIR;
  if (process.argv.includes('--if-stale') && !(await isStale())) {
    console.log(`dashboard up to date in ${rel}`);
  } else {
    const t0 = Date.now();
    await buildDashboard();
    console.log(`dashboard built into ${rel} in ${Date.now() - t0} ms`);
  }
}
