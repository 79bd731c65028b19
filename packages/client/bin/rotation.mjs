#!/usr/bin/env node
// `rotation watch …`: the CLI is TypeScript run through tsx, registered here so the bin works
// from any working directory (tsx is resolved from this package, not from the caller's cwd).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/watch.ts');
const [command, ...rest] = process.argv.slice(2);
if (command !== 'watch') {
  process.stderr.write(`usage: rotation watch [--url ws://…] [--channels alerts,spreads] [--token-file path] [--json]\n`);
  process.exit(command === undefined || command === '--help' || command === '-h' ? 0 : 1);
}
process.exit(await main(rest));
