// Entry of the published bin (bundled to dist/cli.js with a shebang).
import { runAndExit } from './main.js';

runAndExit(process.argv.slice(2));
