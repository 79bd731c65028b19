/**
 * `rotation rules` as a child process (through its bin) against a real gateway, broker and
 * Redis: add from flags and from a file, list, pause, remove; the gateway's field errors are
 * shown and the exit code says what happened; another owner's rule cannot be removed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@rotation/config';
import { describe, expect, test } from '../support/fixtures.js';
import { gateway } from '../gateway/support.js';

const BIN = path.join(REPO_ROOT, 'packages', 'client', 'bin', 'rotation.mjs');
const ALICE = 'alice-token-0123456789';
const BOB = 'bob-token-0123456789ab';

async function rotation(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'rules', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('rotation rules (child process)', () => {
  test('add, ls, pause, rm; field errors and exit codes; owners kept apart', async ({ ns, withTopics, logger }) => {
    await withTopics();
    const gw = await gateway(ns, logger, { GATEWAY_AUTH_TOKENS: `alice:${ALICE},bob:${BOB}` });
    const dir = mkdtempSync(path.join(tmpdir(), 'rules-cli-'));
    try {
      const tokenFile = path.join(dir, 'alice');
      writeFileSync(tokenFile, `${ALICE}\n`, { mode: 0o600 });
      const as = (...a: string[]) => ['--url', gw.url, '--token-file', tokenFile, ...a];
      const added = await rotation(['add', ...as('--pair', 'IWM/SPY', '--window', '1d', '--above', '1', '--hysteresis', '0.25', '--cooldown', '1bar', '--name', 'small caps up', '--message', '{{pair}} {{spreadPp}} over {{window}}')]);
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      const id = /created (r_[0-9a-f]{24})/.exec(added.stdout)?.[1];
      expect(id).toBeDefined();

      const file = path.join(dir, 'rule.json');
      writeFileSync(file, JSON.stringify({ name: 'XLK lagging', subject: { type: 'sector', symbol: 'XLK' }, condition: { type: 'changes_quadrant', to: 'lagging' } }));
      expect((await rotation(['add', ...as('--file', file)])).code).toBe(0);

      const bad = await rotation(['add', ...as('--pair', 'IWM/ZZZ', '--window', '3d', '--above', '1')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/invalid rule/);
      expect(bad.stderr).toMatch(/- window: 3d is not a configured window/);
      expect(bad.stderr).toMatch(/- subject\.pair: large side ZZZ is not a symbol/);
      expect((await rotation(['add', ...as('--pair', 'IWM/SPY', '--above', '1', '--below', '2')])).stderr).toMatch(/exactly one condition/);

      expect((await rotation(['pause', ...as(id!)])).stdout).toBe(`paused ${id}\n`);
      const ls = await rotation(['ls', ...as()]);
      expect(ls.code).toBe(0);
      const lines = ls.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^ID\s+STATUS\s+NAME\s+SUBJECT\s+WINDOW\s+CONDITION\s+LAST FIRED$/);
      expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 3))).toEqual([['paused', 'small caps up'], ['active', 'XLK lagging']]);
      const json = JSON.parse((await rotation(['ls', ...as('--json')])).stdout) as { rules: Array<{ id: string }> };
      expect(json.rules.map((r) => r.id)[0]).toBe(id);

      // Bob's token cannot remove Alice's rule; a wrong token is refused (exit 2).
      const bob = await rotation(['rm', id!, '--url', gw.url, '--token', BOB]);
      expect(bob.code).toBe(1);
      expect(bob.stderr).toMatch(/no such rule/);
      expect((await rotation(['ls', '--url', gw.url, '--token', 'wrong-token-0123456789'])).code).toBe(2);
      expect((await rotation(['rm', ...as(id!)])).stdout).toBe(`deleted ${id}\n`);
      expect((await rotation(['ls', ...as()])).stdout).not.toContain(id);
      expect((await rotation(['rm', ...as('not-an-id')])).stderr).toMatch(/not a rule id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await gw.stop();
    }
  });
});
