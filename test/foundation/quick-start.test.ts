/**
 * The README's Quick start and test command, as a new user runs them on a machine with only
 * Node.js and npm: the `. ./activate` they begin with must bring Node 24 and the pinned pnpm from
 * a shell where no pnpm exists, and the commands after it must then run. The shell here sees a
 * PATH of its own: a directory holding only the machine's node and npm, then /usr/bin and /bin.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, REPO_ROOT } from '@rotation/config';

const inherited = childEnv();
const HOME = inherited.HOME ?? tmpdir();

const SYSTEM_DIRS = ['/usr/bin', '/bin'];
let bareBin = '';

/** The machine's own node and npm: the first on PATH that is not one `activate` installed. */
function machineTool(name: string): string {
  const dirs = (inherited.PATH ?? '').split(path.delimiter).concat(SYSTEM_DIRS);
  for (const dir of dirs) {
    if (dir.includes(`${path.sep}.tools${path.sep}`) || dir.includes(`${path.sep}.ci${path.sep}`)) continue;
    const file = path.join(dir, name);
    if (existsSync(file)) return realpathSync(file);
  }
  throw new Error(`no ${name} on this machine`);
}

beforeAll(async () => {
  bareBin = await mkdtemp(path.join(tmpdir(), 'quick-start-bin-'));
  await symlink(machineTool('node'), path.join(bareBin, 'node'));
  await symlink(machineTool('npm'), path.join(bareBin, 'npm'));
});

afterAll(async () => {
  if (bareBin) await rm(bareBin, { recursive: true, force: true });
});

/** The shell lines of the first ```sh block under a README heading. */
async function readmeBlock(heading: string): Promise<string[]> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error(`README has no sh block under "## ${heading}"`);
  return block.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** Runs `script` with sh from the repository root, in a shell that has only node, npm and the system dirs. */
function bareShell(script: string): { status: number | null; out: string } {
  const r = spawnSync('/bin/sh', ['-c', script], {
    cwd: REPO_ROOT,
    env: { HOME, PATH: [bareBin, ...SYSTEM_DIRS].join(path.delimiter), NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the README on a machine with only Node.js and npm', () => {
  it('has no pnpm on the bare PATH to begin with', () => {
    const r = bareShell('command -v pnpm');
    expect(r.status).not.toBe(0);
  });

  it('begins the Quick start and the test command with `. ./activate`, then pnpm', async () => {
    for (const heading of ['Quick start', 'Test']) {
      const [line] = await readmeBlock(heading);
      expect(line).toMatch(/^\. \.\/activate && pnpm \S+/);
    }
  });

  it('brings Node 24 and the pinned pnpm from there, and the Quick start command then runs', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string };
    const pinned = pkg.packageManager.split('@')[1];
    const [quickStart] = await readmeBlock('Quick start');
    // The README's line as written, with --help so that it answers instead of starting the stack.
    const r = bareShell(`${quickStart} --help && echo "node=$(node -p process.versions.node)" && echo "pnpm=$(pnpm --version)"`);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('Usage: start');
    expect(Number(r.out.match(/node=(\d+)\./)?.[1])).toBeGreaterThanOrEqual(24);
    expect(r.out).toContain(`pnpm=${pinned}`);
  }, 320_000);

  it('refuses to run from another directory, without exiting the caller\'s shell', () => {
    const r = spawnSync('/bin/sh', ['-c', `. ${path.join(REPO_ROOT, 'activate')}; echo "still here $?"`], {
      cwd: tmpdir(),
      env: { HOME, PATH: [bareBin, ...SYSTEM_DIRS].join(path.delimiter) },
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('run it from the repository root');
    expect(r.stdout).toContain('still here 1');
  });

  it('is what .ci/run sources before the README\'s test command', async () => {
    const ci = await readFile(path.join(REPO_ROOT, '.ci/run'), 'utf8');
    const [testLine] = await readmeBlock('Test');
    expect(ci).toMatch(/^\. \.\/activate$/m);
    expect(ci.trimEnd().split('\n').at(-1)).toBe(testLine!.replace(/^\. \.\/activate && /, ''));
    expect(execFileSync('git', ['check-ignore', '.tools/node'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()).toBe('.tools/node');
  });
});
