#!/usr/bin/env node
// `rotation watch …`: the CLI is TypeScript run through tsx, registered here so the bin works
// from any working directory (tsx is resolved from this package, not from the caller's cwd).
import { register } from 'tsx/esm/api';

register();
const [command, ...rest] = process.argv.slice(2);
if (command === '--version' || command === '-V') {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}
if (command !== 'watch') {
  // The watcher's exit codes (docs/client.md): help 0, a usage error 1.
  const help = command === undefined || command === '--help' || command === '-h';
  (help ? process.stdout : process.stderr).write(`usage: rotation watch [--url ws://…] [--channels alerts,spreads] [--token-file path] [--json]\n       rotation --version\n`);
  process.exit(help ? 0 : 1);
}
const { main } = await import('../src/cli/watch.ts');
process.exit(await main(rest));
