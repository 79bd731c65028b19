#!/usr/bin/env node
// `rotation watch …` and `rotation rules …`: the CLI is TypeScript run through tsx, registered
// here so the bin works from any working directory (tsx is resolved from this package, not
// from the caller's cwd).
import { register } from 'tsx/esm/api';

register();
const USAGE = `usage: rotation watch [--url ws://…] [--channels alerts,spreads] [--token-file path] [--json]
       rotation rules add|ls|rm|pause|resume [--url http://…] [--token-file path] … (rotation rules --help)\n`;
const [command, ...rest] = process.argv.slice(2);
if (command === 'watch') {
  const { main } = await import('../src/cli/watch.ts');
  process.exit(await main(rest));
}
if (command === 'rules') {
  const { main } = await import('../src/cli/rules.ts');
  process.exit(await main(rest));
}
process.stderr.write(USAGE);
process.exit(command === undefined || command === '--help' || command === '-h' ? 0 : 1);
