/**
 * `pnpm bench`: every figure next to its ceiling, taken in the same run on the same broker.
 * Sections fail soft: one that cannot run records {"error"} and the next one starts, so
 * bench/results/latest.json is always written.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { USAGE, parseArgs, type BenchArgs, type SectionName } from './args.js';
import { BENCH_DIR, killAllChildrenNow } from './children.js';
import { startInfra, type BenchContext } from './context.js';
import { datedName, renderMarkdown } from './report.js';
import { summaryFields, type BenchResults } from './results.js';
import { runDetector } from './sections/detector.js';
import { fanoutSaturation, runFanout } from './sections/fanout.js';
import { runIngest } from './sections/ingest.js';
import { runLatency } from './sections/latency.js';
import { runMemory } from './sections/memory.js';
import { runRules } from './sections/rules.js';

const SECTION_RUNNERS: Record<SectionName, (ctx: BenchContext) => Promise<unknown>> = {
  ingest: runIngest,
  detector: runDetector,
  latency: runLatency,
  fanout: runFanout,
  memory: runMemory,
  rules: runRules,
};

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** A section does not start after this, so that the whole run stays within 10 minutes. */
const TIME_BUDGET_MS = 8.5 * 60_000;

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const roundedLoad = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

function emptyResults(args: BenchArgs, date: Date): BenchResults {
  const cpus = os.cpus();
  return {
    meta: {
      date: date.toISOString(),
      gitSha: git(['rev-parse', 'HEAD']),
      gitDirty: git(['status', '--porcelain', '--untracked-files=no']).length > 0,
      node: process.version,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      totalMemMb: Math.round(os.totalmem() / 1048576),
      quick: args.quick,
      sections: args.sections,
      infra: { kafka: 'own', redis: 'own' },
      durationsSec: {},
      totalSec: 0,
      notes: {},
    },
  };
}

/** BenchResults has one field per section; the runner writes them by the section's name. */
const sectionSlot = (results: BenchResults) => results as unknown as Record<string, unknown>;

interface RunState {
  stopInfra: (() => Promise<void>) | undefined;
  interrupted: boolean;
}

/** Ctrl-C (or SIGTERM) stops children and infrastructure; a second one kills at once. */
function stopOnSignals(state: RunState): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (state.interrupted) {
      killAllChildrenNow();
      process.exit(130);
    }
    state.interrupted = true;
    log(`${signal}: stopping children and infrastructure (again to force)`);
    void (async () => {
      await state.stopInfra?.().catch(() => undefined);
      process.exit(130);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Runs one section; a failure is its result ({"error"}), not the run's end. */
async function runSection(name: SectionName, ctx: BenchContext, results: BenchResults, started: number): Promise<void> {
  const t0 = Date.now();
  if (t0 - started > TIME_BUDGET_MS) {
    sectionSlot(results)[name] = { error: `skipped: the run had used ${Math.round((t0 - started) / 1000)} s of its 10-minute budget` };
    log(`section ${name} skipped (time budget)`);
    return;
  }
  log(`section ${name}...`);
  try {
    sectionSlot(results)[name] = await SECTION_RUNNERS[name](ctx);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    log(`section ${name} failed: ${message}`);
    sectionSlot(results)[name] = { error: message };
  }
  results.meta.durationsSec[name] = Math.round((Date.now() - t0) / 100) / 10;
  log(`section ${name} done in ${results.meta.durationsSec[name]} s`);
}

async function runSections(args: BenchArgs, results: BenchResults, state: RunState, started: number): Promise<void> {
  try {
    const infra = await startInfra({ quick: args.quick, cpuProfDir: args.cpuProfDir, log });
    state.stopInfra = infra.stop;
    const { ctx } = infra;
    results.meta.infra = ctx.infra;
    results.meta.notes = ctx.notes;
    log(`kafka ${ctx.brokers.join(',')} (${ctx.infra.kafka}), redis ${ctx.redisUrl} (${ctx.infra.redis})`);
    for (const name of args.sections) {
      if (state.interrupted) break;
      await runSection(name, ctx, results, started);
    }
  } catch (e) {
    // Infrastructure failed: every requested section is recorded as not measured.
    const message = `infrastructure: ${(e as Error).message}`;
    log(message);
    for (const name of args.sections) sectionSlot(results)[name] ??= { error: message };
  } finally {
    await state.stopInfra?.().catch((e: unknown) => log(`stopping infrastructure: ${(e as Error).message}`));
  }
}

async function writeResults(results: BenchResults, markdown: string, date: Date): Promise<void> {
  const dir = path.join(BENCH_DIR, 'results');
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(path.join(dir, 'latest.json'), json);
  await writeFile(path.join(dir, datedName(date)), json);
  await writeFile(path.join(dir, 'latest.md'), markdown);
  log(`wrote bench/results/latest.json, bench/results/${datedName(date)}, bench/results/latest.md`);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = Date.now();
  const loadStart = roundedLoad();
  const date = new Date();
  const results = emptyResults(args, date);
  const state: RunState = { stopInfra: undefined, interrupted: false };
  stopOnSignals(state);
  await runSections(args, results, state, started);
  results.meta.totalSec = Math.round((Date.now() - started) / 1000);
  results.meta.loadAvg = { start: loadStart, end: roundedLoad() };
  Object.assign(results, summaryFields(results));
  results.fanoutSaturation = Array.isArray(results.fanout) ? fanoutSaturation(results.fanout) : null;

  const markdown = renderMarkdown(results);
  process.stdout.write(`\n${markdown}`);
  if (!args.noWrite) await writeResults(results, markdown, date);
  return 0;
}

process.exitCode = await main();
// Kafka clients and sockets of finished sections must not keep the process alive.
setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
