/**
 * The client as someone outside this repository gets it: packed into a tarball (which builds
 * it), installed with npm into an empty ESM project and an empty CommonJS project, its README
 * examples run against a live gateway over the real broker and Redis, the installed `rotation`
 * bin piped into `head -n 1`, and its type declarations checked by tsc from a consumer's file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { build as bundle } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import { REPO_ROOT } from '@rotation/config';
import { DetectorSim, gateway } from '../gateway/support.js';
import { describe, expect, test } from '../support/fixtures.js';
import { until } from './protocol-server.js';

const run = promisify(execFile);
const CLIENT_DIR = path.join(REPO_ROOT, 'packages', 'client');
const PROJECTS = { esm: 'module', cjs: 'commonjs' } as const;
type Kind = keyof typeof PROJECTS;

let work = '';
let tarball = '';

/** The README's JavaScript blocks: the ESM one (import) and the CommonJS one (require). */
function readmeExamples(): Record<Kind, string> {
  const blocks = [...readFileSync(path.join(CLIENT_DIR, 'README.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const esm = blocks.find((b) => b.includes("from '@rotation/client'"));
  const cjs = blocks.find((b) => b.includes("require('@rotation/client')"));
  if (!esm || !cjs) throw new Error('the client README lost its ESM or CommonJS example');
  return { esm, cjs };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'client-package-'));
  // pnpm pack runs the package's prepack (the build) and writes the publishConfig manifest.
  await run('pnpm', ['pack', '--pack-destination', work], { cwd: CLIENT_DIR, maxBuffer: 16 * 1024 * 1024 });
  tarball = path.join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  const examples = readmeExamples();
  for (const [kind, type] of Object.entries(PROJECTS) as Array<[Kind, string]>) {
    const dir = path.join(work, kind);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${kind}`, version: '1.0.0', private: true, type }));
    // The tarball's real dependencies come from the registry (or npm's cache when offline).
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    writeFileSync(path.join(dir, 'example.js'), examples[kind]);
  }
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function start(cwd: string, file: string, args: string[]): { child: ChildProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [file, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const r = { child, stdout: [] as string[], stderr: [] as string[], exited: once(child, 'exit').then(([code]) => code as number | null) };
  createInterface({ input: child.stdout! }).on('line', (l) => r.stdout.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => r.stderr.push(l));
  return r;
}

describe('@rotation/client from its tarball', () => {
  test('the tarball holds JavaScript, declarations and a license, and names no private package and no tsx', () => {
    const manifest = JSON.parse(readFileSync(path.join(work, 'esm', 'node_modules', '@rotation', 'client', 'package.json'), 'utf8')) as Record<string, unknown> & {
      dependencies: Record<string, string>;
      exports: Record<string, Record<string, string>>;
      bin: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    expect(manifest.version).toBe('0.2.0');
    expect(manifest.license).toBe('Apache-2.0');
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['commander', 'picocolors', 'ws', 'zod']);
    expect(Object.keys(manifest.exports['.']!)).toEqual(['types', 'browser', 'import', 'require']);
    expect(manifest.bin.rotation).toBe('./dist/cli.js');
    const installed = path.join(work, 'esm', 'node_modules');
    expect(existsSync(path.join(installed, '@rotation', 'schemas'))).toBe(false);
    expect(existsSync(path.join(installed, 'tsx'))).toBe(false);
    expect(readFileSync(path.join(installed, '@rotation', 'client', 'LICENSE'), 'utf8')).toContain('Apache License');
    for (const file of ['index.js', 'index.cjs', 'browser.js', 'cli.js', 'rotation-client.bundle.js']) {
      expect(readFileSync(path.join(installed, '@rotation', 'client', 'dist', file), 'utf8')).not.toMatch(/@rotation\/schemas|\.ts["']/);
    }
  });

  test.for(['esm', 'cjs'] as const)('the README example (%s) gets the snapshot and a live alert from a live gateway', { timeout: 180_000 }, async (kind, { ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger);
    const example = start(path.join(work, kind), 'example.js', [gw.wsUrl]);
    try {
      await sim.snapshot(3.97);
      await sim.alerts(1);
      await until(() => example.stdout.some((l) => l.startsWith('spreads: IWM/SPY 7d 3.97 pp')) && example.stdout.some((l) => l.startsWith('alert #1 ')), 'snapshot and recent alert', 60_000);
      await sim.alerts(1, () => ({ kind: 'size_regime_change', message: 'Small caps lead: live' }));
      await until(() => example.stdout.some((l) => l === 'alert #2 warning size_regime_change IWM/SPY: Small caps lead: live'), 'live alert', 60_000);
      expect(example.stderr.filter((l) => !/^status: |^connected$/.test(l))).toEqual([]);
    } finally {
      example.child.kill('SIGINT');
      await example.exited;
      await gw.stop();
      await sim.close();
    }
  });

  test('the installed bin: `rotation watch --json | head -n 1` prints an alert and exits 0', { timeout: 180_000 }, async ({ ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    const gw = await gateway(ns, logger);
    // A watcher whose reader left ends at its next write: alerts keep coming until it has gone.
    let publishing = true;
    const more = (async () => {
      for (let i = 0; publishing && i < 120; i++) {
        await sim.alerts(1);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    try {
      const bin = path.join(work, 'cjs', 'node_modules', '.bin', 'rotation');
      const { stdout, stderr } = await run('bash', ['-c', `set -o pipefail; ${JSON.stringify(bin)} watch --url ${gw.wsUrl} --json --channels alerts | head -n 1`], { timeout: 90_000 });
      const line = JSON.parse(stdout) as { type: string; alert: { kind: string } };
      expect(line).toMatchObject({ type: 'alert', alert: { kind: 'spread_zscore' } });
      expect(stderr).not.toMatch(/EPIPE|Error/);
    } finally {
      publishing = false;
      await more;
      await gw.stop();
      await sim.close();
    }
  });

  test("a bundler building for browsers picks the `browser` build, without ws or Node's modules", { timeout: 120_000 }, async () => {
    const dir = path.join(work, 'esm');
    writeFileSync(path.join(dir, 'page.js'), `import { RotationClient } from '@rotation/client';\nexport const client = new RotationClient({ url: 'ws://127.0.0.1:1/v1/stream' });\n`);
    // The repository's esbuild as the consumer's bundler: what it resolves is the installed package.
    const result = await bundle({ absWorkingDir: dir, entryPoints: ['page.js'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/@rotation/client/dist/browser.js');
    expect(inputs.filter((i) => /node_modules\/ws\/|^node:/.test(i))).toEqual([]);
  });

  test('the declarations type-check a consumer (strict, NodeNext) and catch a wrong use', { timeout: 180_000 }, async () => {
    const dir = path.join(work, 'esm');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2023,dom', '--skipLibCheck', 'false'];
    writeFileSync(
      path.join(dir, 'typed.ts'),
      `import { RotationClient, type StateUpdate } from '@rotation/client';
const c = new RotationClient({ url: 'ws://127.0.0.1:1/v1/stream', channels: ['alerts', 'spreads'] });
c.on('alert', (a, meta) => { const s: string = a.message; const n: number = meta.seq; void s; void n; });
c.onState('spreads', (u) => { const pp: number | null = u.value[0]?.spreadPp ?? null; void pp; });
export const update: StateUpdate['channel'] = 'rrg';
`,
    );
    await run(process.execPath, [tsc, ...args, 'typed.ts'], { cwd: dir });
    writeFileSync(path.join(dir, 'wrong.ts'), `import { RotationClient } from '@rotation/client';\nnew RotationClient({ url: 'ws://x', channels: ['gold'] });\n`);
    const wrong = await run(process.execPath, [tsc, ...args, 'wrong.ts'], { cwd: dir }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(wrong).toMatch(/wrong\.ts\(2,.*'"gold"'/);
  });
});
