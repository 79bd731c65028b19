/**
 * `rotation rules add|ls|rm|pause|resume`: your own alert rules on a gateway, over its HTTP
 * API (docs/rules.md). Results go to stdout, problems to stderr.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { RuleView } from '@rotation/schemas';
import { formatRules, ruleFromFlags, type RuleFlags } from './rule-flags.js';
import { ExitCode, readToken } from './watch.js';

export const DEFAULT_HTTP_URL = 'http://127.0.0.1:8080';

export interface RulesIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Standard input, for `add --file -`. */
  stdin?: () => string;
  fetch?: typeof fetch;
}

interface Common {
  url: string;
  token?: string;
  tokenFile?: string;
  json?: boolean;
}

function parseHttpUrl(value: string): string {
  if (!/^https?:\/\/[^\s]+$/i.test(value)) throw new InvalidArgumentError('must be an http:// or https:// URL');
  return value.replace(/\/+$/, '');
}

/** One API call; the answer's JSON body (or a description of what went wrong) and its exit code. */
async function call(o: Common, io: RulesIo, method: string, path: string, body?: unknown): Promise<{ code: number; body: Record<string, unknown> }> {
  const token = readToken(o);
  let res: Response;
  try {
    res = await (io.fetch ?? fetch)(`${o.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (cause) {
    return { code: ExitCode.fatal, body: { error: `cannot reach ${o.url}: ${(cause as Error).message}` } };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = (await res.json()) as Record<string, unknown>;
  } catch {
    parsed = { error: `HTTP ${res.status} without a JSON body` };
  }
  const code = res.ok ? ExitCode.ok : res.status === 401 || res.status === 403 ? ExitCode.refused : res.status >= 500 ? ExitCode.fatal : ExitCode.usage;
  return { code, body: parsed };
}

function report(io: RulesIo, r: { code: number; body: Record<string, unknown> }): number {
  if (r.code === ExitCode.ok) return r.code;
  io.stderr.write(`error: ${String(r.body.error ?? 'request failed')}\n`);
  for (const i of (r.body.issues as Array<{ path: string; message: string }> | undefined) ?? []) io.stderr.write(`  - ${i.path}: ${i.message}\n`);
  return r.code;
}

function ruleBody(flags: RuleFlags & { file?: string }, io: RulesIo): unknown {
  if (flags.file === undefined) return ruleFromFlags(flags);
  let text: string;
  try {
    text = flags.file === '-' ? (io.stdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(flags.file, 'utf8');
  } catch (cause) {
    throw new InvalidArgumentError(`cannot read --file: ${(cause as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidArgumentError('--file does not hold JSON');
  }
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'gateway HTTP URL', parseHttpUrl, DEFAULT_HTTP_URL)
    .option('--token <token>', 'API token (visible in the process list; prefer --token-file)')
    .option('--token-file <path>', 'read the API token from this file')
    .option('--json', 'print the API\'s JSON answer');
}

/** The `rules` command tree; each action stores its exit code through `done`. */
export function buildRulesCommand(io: RulesIo, done: (code: number) => void): Command {
  const root = new Command('rules').description('your own alert rules (docs/rules.md)');
  const print = (o: Common, body: unknown, text: string) => io.stdout.write(o.json ? `${JSON.stringify(body)}\n` : `${text}\n`);
  withCommon(root.command('add').description('create a rule from flags or from a JSON file'))
    .option('--file <path>', 'the rule as JSON (- for stdin), as POST /api/v1/rules takes it')
    .option('--name <name>', 'what the rule is called')
    .option('--pair <A/B>', 'subject: the spread of two symbols or baskets, e.g. IWM/SPY')
    .option('--symbol <symbol>', 'subject: a symbol\'s return')
    .option('--basket <id>', 'subject: a basket\'s return')
    .option('--sector <symbol>', 'subject: a sector (return, relative, rank, quadrant, leadership)')
    .option('--breadth <measure>', 'subject: sectorsBeatingBenchmarkPct, sectorsLeadingOrImprovingPct or advancingPct')
    .option('--measure <measure>', 'what of the subject: spreadPp, zScore, ratio, returnPct, relativePct, rank')
    .option('--window <window>', 'a configured window, e.g. 1d')
    .option('--above <value>', 'fires when the value crosses above this')
    .option('--below <value>', 'fires when the value crosses below this')
    .option('--band <low..high>', 'fires when the value enters the band')
    .option('--outside <low..high>', 'fires when the value leaves the band')
    .option('--z <k>', 'fires when |z-score| of a pair\'s spread reaches k')
    .option('--quadrant [quadrant]', 'fires when the sector changes RRG quadrant (to this one)')
    .option('--leader', 'fires when the sector becomes the leader')
    .option('--laggard', 'fires when the sector becomes the laggard')
    .option('--hysteresis <amount>', 'how far back across the line before it can fire again')
    .option('--dwell <duration>', 'how long the condition must hold: 15m, 1h, 2bars')
    .option('--cooldown <duration>', 'quiet time after a firing: 30m, 1bar')
    .option('--at-close', 'evaluate at session closes only')
    .option('--severity <severity>', 'info, warning or critical')
    .option('--message <template>', 'message template, e.g. "{{pair}} {{spreadPp}} over {{window}}"')
    .option('--webhook <sink>', 'also deliver to this webhook sink of yours')
    .option('--no-socket', 'do not deliver on the websocket (webhook only)')
    .action(async (o: Common & RuleFlags & { file?: string }) => {
      const r = await call(o, io, 'POST', '/api/v1/rules', ruleBody(o, io));
      if (r.code === ExitCode.ok) print(o, r.body, `created ${String(r.body.id)}`);
      done(report(io, r));
    });
  withCommon(root.command('ls').description('list your rules (an admin: everyone\'s)'))
    .option('--owner <owner>', 'admins: one owner\'s rules')
    .action(async (o: Common & { owner?: string }) => {
      const r = await call(o, io, 'GET', `/api/v1/rules${o.owner ? `?owner=${encodeURIComponent(o.owner)}` : ''}`);
      if (r.code === ExitCode.ok) {
        const rules = r.body.rules as RuleView[];
        print(o, r.body, formatRules(rules, new Set(rules.map((x) => x.owner)).size > 1).join('\n'));
      }
      done(report(io, r));
    });
  const byId = (name: string, description: string, method: string, suffix: string, verb: string) =>
    withCommon(root.command(`${name} <id>`).description(description)).action(async (id: string, o: Common) => {
      if (!/^r_[0-9a-f]{24}$/.test(id)) throw new InvalidArgumentError(`"${id}" is not a rule id (r_ and 24 hex digits; see rotation rules ls)`);
      const r = await call(o, io, method, `/api/v1/rules/${id}${suffix}`);
      if (r.code === ExitCode.ok) print(o, r.body, `${verb} ${id}`);
      done(report(io, r));
    });
  byId('rm', 'delete a rule: it never fires again', 'DELETE', '', 'deleted');
  byId('pause', 'stop evaluating a rule until resumed', 'POST', '/pause', 'paused');
  byId('resume', 'evaluate a paused rule again, from now on', 'POST', '/resume', 'resumed');
  return root;
}

/** Entry point of `rotation rules …`. */
export async function main(argv: string[], io: RulesIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const args = argv[0] === 'rules' ? argv.slice(1) : argv;
  let code: number = ExitCode.ok;
  const root = buildRulesCommand(io, (c) => (code = c)).name('rotation rules').exitOverride();
  for (const sub of root.commands) sub.exitOverride();
  try {
    await root.parseAsync(args, { from: 'user' });
  } catch (error) {
    // Thrown by an action (commander prints its own parse errors): say what is wrong.
    if (error instanceof InvalidArgumentError && error.code === 'commander.invalidArgument') {
      io.stderr.write(`error: ${error.message}\n`);
      return ExitCode.usage;
    }
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    throw error;
  }
  return code;
}
