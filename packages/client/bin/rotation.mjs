#!/usr/bin/env node
// `rotation watch …` and `rotation rules …`: the CLI is TypeScript run through tsx, registered
// here so the bin works from any working directory (tsx is resolved from this package, not
// from the caller's cwd).
import { register } from 'tsx/esm/api';

register();
const USAGE = `usage: rotation watch [--url ws://…] [--channels alerts,spreads] [--token-file path] [--json]
       rotation rules add|ls|rm|pause|resume [--url http://…] [--token-file path] … (rotation rules --help)
       rotation --version\n`;
const [command, ...rest] = process.argv.slice(2);
if (command === '--version' || command === '-V') {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}
if (command === 'watch') {
  const { main } = await import('../src/cli/watch.ts');
  process.exit(await main(rest));
}
if (command === 'rules') {
  const { main } = await import('../src/cli/rules.ts');
  process.exit(await main(rest));
}
// Help exits 0, a usage error 1 (docs/client.md).
const help = command === undefined || command === '--help' || command === '-h';
(help ? process.stdout : process.stderr).write(USAGE);
process.exit(help ? 0 : 1);
