#!/usr/bin/env node
// `rotation …` inside the repository: the CLI's TypeScript run through tsx, registered here so
// the bin works from any working directory (tsx is resolved from this package, not from the
// caller's cwd). The published package's bin is dist/cli.js, plain JavaScript.
import { register } from 'tsx/esm/api';

register();
const { runAndExit } = await import('../src/cli/main.ts');
runAndExit(process.argv.slice(2));
