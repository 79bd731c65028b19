/**
 * Builds the installable package into dist/: plain JavaScript for Node (ESM and CommonJS), for
 * browsers (ESM for bundlers, and one self-contained ESM file for a page without a bundler), the
 * `rotation` bin, and type declarations. @rotation/schemas is private to this repository, so it
 * is bundled into every output and its declarations are shipped beside the client's (the bin
 * bundles @rotation/calendar's New York clock the same way: a devDependency is never external); the
 * package's runtime dependencies are its own `dependencies` only.
 *   pnpm --filter @rotation/client build
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(PACKAGE_DIR, 'dist');
const TYPES_DIR = path.join(DIST_DIR, 'types');

async function dependencies(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.keys(manifest.dependencies ?? {});
}

/** The CLI imports package.json for its version: ship that field, not the repository's scripts. */
const versionOnly: Plugin = {
  name: 'package-json-version-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
      const { version } = JSON.parse(await readFile(args.path, 'utf8')) as { version: string };
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

function bundles(external: string[]): BuildOptions[] {
  const index = path.join(PACKAGE_DIR, 'src', 'index.ts');
  const common: BuildOptions = { plugins: [versionOnly], bundle: true, target: ['es2022'], sourcemap: 'linked', legalComments: 'inline', logLevel: 'warning' };
  return [
    { ...common, entryPoints: [index], outfile: path.join(DIST_DIR, 'index.js'), format: 'esm', platform: 'node', external },
    { ...common, entryPoints: [index], outfile: path.join(DIST_DIR, 'index.cjs'), format: 'cjs', platform: 'node', external },
    { ...common, entryPoints: [index], outfile: path.join(DIST_DIR, 'browser.js'), format: 'esm', platform: 'browser', external },
    // For `<script type="module">` without a bundler: zod inside, nothing to resolve.
    { ...common, entryPoints: [path.join(PACKAGE_DIR, 'src', 'bundle.ts')], outfile: path.join(DIST_DIR, 'rotation-client.bundle.js'), format: 'esm', platform: 'browser', minify: true },
    {
      ...common,
      entryPoints: [path.join(PACKAGE_DIR, 'src', 'cli', 'bin.ts')],
      outfile: path.join(DIST_DIR, 'cli.js'),
      format: 'esm',
      platform: 'node',
      external,
      banner: { js: '#!/usr/bin/env node' },
    },
  ];
}

/**
 * Declarations of the client and of the schemas it uses (dist/types/{client,schemas}/src), with
 * `@rotation/schemas` rewritten to the shipped copy so no private package is named.
 */
async function declarations(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', path.join(PACKAGE_DIR, 'tsconfig.build.json')], { cwd: PACKAGE_DIR });
  const clientTypes = path.join(TYPES_DIR, 'client', 'src');
  const schemasIndex = path.join(TYPES_DIR, 'schemas', 'src', 'index.js');
  for (const entry of await readdir(clientTypes, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    let rel = path.relative(entry.parentPath, schemasIndex).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    const rewritten = text.replaceAll(/(['"])@rotation\/schemas\1/g, `'${rel}'`);
    if (rewritten !== text) await writeFile(file, rewritten);
  }
}

export async function buildClient(): Promise<void> {
  await rm(DIST_DIR, { recursive: true, force: true });
  const external = await dependencies();
  await Promise.all([...bundles(external).map((o) => build(o)), declarations()]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildClient();
  console.log(`client built into ${path.relative(process.cwd(), DIST_DIR) || DIST_DIR} in ${Date.now() - t0} ms`);
}
