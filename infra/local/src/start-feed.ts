/**
 * The feed `pnpm start` runs into the stack: a live provider, a replay of the user's files, or
 * the synthetic demo (a warm-up of quiet history first on a fresh pipeline). A feed that ends
 * says what that means; the stack keeps running either way.
 */
import path from 'node:path';
import type { Config } from '@rotation/config';
import { DEMO_DEFAULTS, demoPlan, describeSpeed } from './demo-plan.js';
import type { Level } from './log-lines.js';
import { thisRun } from './run-log.js';
import type { ServiceHandle } from './service-process.js';
import type { Stack } from './stack.js';
import { paint, say, shown } from './start-console.js';

/** Starts one service of the stack with its log in the stack's log directory. */
export type StartService = (name: string, entry: string, args?: string[], consoleLevel?: Level, milestone?: (msg: string) => boolean) => ServiceHandle;

export interface FeedContext {
  stack: Stack;
  start: StartService;
  config: Config;
}

export type FeedChoice =
  | { source: 'live'; provider: string }
  | { source: 'replay'; files: string[]; /** Absent: full speed. */ speed: number | undefined }
  | { source: 'demo'; speed: number; warmupMs: number; asOfMs: number | null };

/** Starts the feed; returns how the banner describes it. */
export function startFeed(ctx: FeedContext, choice: FeedChoice): string {
  if (choice.source === 'live') return liveFeed(ctx, choice.provider);
  if (choice.source === 'replay') return replayFeed(ctx, choice.files, choice.speed);
  return demoFeed(ctx, choice.speed, choice.warmupMs, choice.asOfMs);
}

function runFeed(ctx: FeedContext, name: string, args: string[], onEnd: (code: number | string) => void): void {
  // The backfill's start and end are worth seeing: the panels fill when it is published.
  const feed = ctx.start(name, 'services/ingester/src/main.ts', args, 'warn', (msg) => msg.startsWith('backfill: fetching') || msg.startsWith('backfill: streaming'));
  ctx.stack.feed = feed;
  void feed.exited.then((code) => {
    if (!ctx.stack.stopping) onEnd(code);
  });
}

function feedLog(ctx: FeedContext, name = 'feed'): string {
  return path.join(ctx.stack.logDir, `${name}.log`);
}

function liveFeed(ctx: FeedContext, provider: string): string {
  let feedText = `live trades from ${provider}`;
  if (ctx.config.env.INGESTER_BACKFILL) {
    feedText += ', after a backfill of the history the measures need';
    say(`backfilling history from ${provider} before the stream (what the ticks topic already has is skipped; INGESTER_BACKFILL=false streams without it)`);
  }
  runFeed(ctx, 'feed', ['live', '--provider', provider], (code) => say(paint('31', `the live feed stopped (${code}); see ${shown(feedLog(ctx))}. The dashboard keeps the last state.`)));
  return feedText;
}

function replayFeed(ctx: FeedContext, given: string[], speedFactor: number | undefined): string {
  const speed = speedFactor !== undefined ? String(speedFactor) : 'max';
  const files = given.map((f) => path.resolve(f));
  const feedText = `replay of ${files.map(shown).join(', ')} ${speedFactor === undefined ? 'at full speed' : describeSpeed(speedFactor)}, namespace "${ctx.config.namespace}"`;
  runFeed(ctx, 'feed', ['replay', ...files.flatMap((f) => ['--file', f]), '--speed', speed], (code) => void ctx.stack.feed!.logged.then(() => replayEnded(code, feedLog(ctx), given)));
  return feedText;
}

function demoFeed(ctx: FeedContext, speed: number, warmupMs: number, asOfMs: number | null): string {
  const plan = demoPlan({ asOfMs, speed, warmupMs, cycleMs: DEMO_DEFAULTS.cycleMs, seed: DEMO_DEFAULTS.seed });
  const paced = () => runFeed(ctx, 'feed', plan.paced.args, (code) => say(paint('31', `the demo feed stopped (${code}); see ${shown(feedLog(ctx))}`)));
  const feedText = `synthetic small-cap rotation, ${describeSpeed(speed)}`;
  if (asOfMs !== null) say(`continuing the demo after ${new Date(asOfMs).toISOString()} (the detector's clock)`);
  if (!plan.warmup) {
    paced();
    return feedText;
  }
  const days = Math.round((plan.warmup.toMs - plan.warmup.fromMs) / 86_400_000);
  say(`warming up: ${days} days of quiet market history at full speed (the RRG and z-scores need weeks of daily bars)…`);
  const tw = Date.now();
  runFeed(ctx, 'warmup', plan.warmup.args, (code) => {
    if (code === 0) say(`warm-up fed in ${((Date.now() - tw) / 1000).toFixed(0)} s; now playing the rotation`);
    else say(paint('31', `the warm-up feed failed (${code}); see ${shown(feedLog(ctx, 'warmup'))}. Playing the rotation anyway.`));
    paced();
  });
  return feedText;
}

/** What the end of a replay feed means to the user; the stack keeps running either way. */
async function replayEnded(code: number | string, feedLog: string, files: readonly string[]): Promise<void> {
  if (code === 0) {
    say('replay done: every file is published; the dashboard shows where it ended (Ctrl-C stops)');
    return;
  }
  // The ingester's own one-line message (stderr, not a JSON log line): both times and why, unclipped.
  const refused = (await thisRun(feedLog)).split('\n').filter((l) => l.startsWith('ingester: replay refused'));
  if (code === 2 && refused.length > 0) {
    process.stdout.write(`${refused.at(-1)}\n`);
    const again = files.map((f) => `--file ${f}`).join(' ');
    say(paint('31', 'the replay was refused (above); nothing of it was published. With pnpm start:'));
    say(`  pnpm start --source replay --fresh ${again}   starts the namespace over`);
    say(`  ROTATION_NAMESPACE=<new> pnpm start --source replay ${again}   replays into another`);
    return;
  }
  say(paint('31', `the replay stopped (${code}); see ${shown(feedLog)}`));
}
