/**
 * What one `pnpm start` run has started, and how it ends: a stop (a signal, a service that
 * died, a failed start-up) ends exactly that, in order; a second Ctrl-C or an exit by any
 * other way kills it outright, so no child outlives the launcher.
 */
import type { UpResult } from './infra.js';
import { stopKafkaBroker } from './kafka-broker.js';
import { stopRedisServer } from './redis-server.js';
import type { ServiceHandle } from './service-process.js';
import { clearState, readState, writeState } from './state.js';
import { dim, paint, say, shown } from './start-console.js';

export interface Stack {
  readonly dataDir: string;
  readonly logDir: string;
  readonly services: ServiceHandle[];
  feed: ServiceHandle | undefined;
  /** The broker and Redis, once they are up. */
  up: UpResult | undefined;
  /** Set by the first stop; everything that would start another stop checks it. */
  stopping: Promise<void> | undefined;
}

export function newStack(dataDir: string, logDir: string): Stack {
  return { dataDir, logDir, services: [], feed: undefined, up: undefined, stopping: undefined };
}

/** Stops everything once (later calls get the first stop) and exits with `code`, or 1 when a stop was not clean. */
export function stopAll(stack: Stack, why: string, code: number): Promise<void> {
  return (stack.stopping ??= stopEverything(stack, why, code));
}

async function stopEverything(stack: Stack, why: string, code: number): Promise<void> {
  say(`${why}: stopping…`);
  // Judged on what was still running: a feed that had ended (a replay done or refused) said so then.
  const runningAtStop = [stack.feed, ...stack.services].filter((s): s is ServiceHandle => s?.running() === true);
  // The feed first so it flushes what it accepted; then the services (the gateway tells its clients).
  if (stack.feed) await stack.feed.stop(15_000);
  await Promise.all(stack.services.map((s) => s.stop(15_000)));
  const stopped = [stack.feed, ...stack.services].filter((s): s is ServiceHandle => s !== undefined);
  for (const s of stopped) say(`stopped ${s.name} ${dim(`(pid ${s.pid})`)}`);
  // A signal asked for the stop; it is clean only if every process finished its work (exit 0).
  // Death by the SIGTERM itself means it came before the process set up its handlers, i.e.
  // before it had work in hand (the detector's commits are atomic anyway); SIGKILL is the
  // grace period running out, and a non-zero code a failed stop.
  const unclean = (await Promise.all(runningAtStop.map(async (s) => [s.name, await s.exited] as const))).filter(([, c]) => c !== 0 && c !== 'SIGTERM');
  if (unclean.length > 0) say(paint('31', `not a clean stop: ${unclean.map(([n, c]) => `${n} exited ${c}`).join(', ')}; see ${shown(stack.logDir)}`));
  if (stack.up) await stopInfra(stack.up, stack.dataDir);
  say(`done; data kept in ${shown(stack.dataDir)}`);
  process.exit(code === 0 && unclean.length > 0 ? 1 : code);
}

/** Ctrl-C / SIGTERM stop the stack; a second one a moment later, or an exit by any other way, kills it. */
export function handleSignals(stack: Stack): void {
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice: from the terminal to the whole process group and relayed by
    // the tsx/pnpm wrappers. Only a second press a moment later means "stop waiting".
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt < 1_500) return;
      say(`${signal} again: killing everything now`);
      for (const s of [stack.feed, ...stack.services]) if (s) killGroup(s.pid);
      if (stack.up) for (const pid of startedInfraPids(stack.up)) killGroup(pid);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void stopAll(stack, `${signal === 'SIGINT' ? 'Ctrl-C' : signal}`, 0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // If this process dies some other way, its children must not live on.
  process.on('exit', (code) => {
    const left = [stack.feed, ...stack.services].filter((s): s is ServiceHandle => Boolean(s?.running()));
    if (left.length > 0) process.stdout.write(`start    exiting early (code ${code}): killing ${left.map((s) => s.name).join(', ')}\n`);
    for (const s of left) killGroup(s.pid);
    if (stack.up && left.length > 0) for (const pid of startedInfraPids(stack.up)) killGroup(pid);
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Process ids of the broker and Redis this run started (not ones it reused). */
function startedInfraPids(up: UpResult): number[] {
  const pids: number[] = [];
  if (up.state.kafka && up.started.some((s) => s.startsWith('kafka'))) pids.push(up.state.kafka.pid);
  if (up.state.redis && up.started.some((s) => s.startsWith('redis'))) pids.push(up.state.redis.pid);
  return pids;
}

/** Stops only what this run started; a broker or Redis that was already running is left alone. */
async function stopInfra(up: UpResult, dataDir: string): Promise<void> {
  const state = await readState(dataDir);
  if (!state) return;
  const startedKafka = up.started.some((s) => s.startsWith('kafka'));
  const startedRedis = up.started.some((s) => s.startsWith('redis'));
  if (startedKafka && state.kafka) {
    await stopKafkaBroker(state.kafka.pid);
    say(`stopped kafka ${dim(`(pid ${state.kafka.pid})`)}`);
    delete state.kafka;
  }
  if (startedRedis && state.redis) {
    await stopRedisServer(state.redis.pid);
    say(`stopped redis ${dim(`(pid ${state.redis.pid})`)}`);
    delete state.redis;
  }
  if (!state.kafka && !state.redis) await clearState(dataDir);
  else await writeState(dataDir, state);
}
