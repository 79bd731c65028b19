/**
 * Preloaded into every service `pnpm start` runs (`node --import ./orphan-guard.ts`): when the
 * launcher disappears without stopping its children (killed with SIGKILL, or by a wrapper), the
 * service is re-parented; it then sends itself SIGTERM, so it shuts down the same graceful way
 * as on Ctrl-C instead of running on with nobody to stop it.
 */
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }
}, 1_000);
// Never what keeps a finished service alive.
timer.unref();
