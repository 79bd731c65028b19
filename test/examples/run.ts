/**
 * Runs an example program as a user would (its own process, its own stdout) and collects
 * what it prints, for the examples' CI tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { childEnv, REPO_ROOT } from '@rotation/config';

export const EXAMPLES = path.join(REPO_ROOT, 'examples');

export class Program {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.#child = spawn(command, args, { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.#child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  lines(): string[] {
    return this.stdout.split('\n').filter((l) => l !== '');
  }

  async until(check: (p: Program) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!check(this)) {
      if (exited) throw new Error(`program exited while waiting for ${what}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ends the program and everything it started (a shell pipeline's members too). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      process.kill(-this.#child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await this.exited;
  }
}

/** The shell block that follows `<!-- ci: NAME -->` in an example's README: the test runs what the reader copies. */
export function readmeCommand(readme: string, name: string): string {
  const text = readFileSync(readme, 'utf8');
  const m = new RegExp(`<!-- ci: ${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (!m) throw new Error(`${readme} has no \`<!-- ci: ${name} -->\` sh block`);
  return m[1]!;
}
