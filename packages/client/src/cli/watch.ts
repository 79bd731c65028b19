/**
 * `rotation watch` (also `pnpm watch`): a live alert feed and the current spreads in a
 * terminal, or one JSON object per line with --json for piping into jq, a logger or a bot.
 * Data goes to stdout; connection status and problems go to stderr.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import picocolors from 'picocolors';
import { Channel } from '@rotation/schemas';
import { RotationClient, type ClientOptions } from '../client.js';
import { ClientErrorCode } from '../errors.js';
import { colors, formatAlert, formatGap, formatResync, formatState, formatStatus, jsonAlert, jsonState } from './format.js';

export const DEFAULT_URL = 'ws://127.0.0.1:8080/v1/stream';
export const DEFAULT_CHANNELS: Channel[] = ['alerts', 'spreads'];

export interface WatchIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  stopSignal: Promise<void>;
  /** For tests: a WebSocket class instead of the default. */
  WebSocket?: ClientOptions['WebSocket'];
}

export interface WatchOptions {
  url: string;
  channels: Channel[];
  token?: string;
  tokenFile?: string;
  json?: boolean;
  color?: boolean;
}

/** Exit codes: 0 stopped by the user, 1 usage, 2 refused (auth, protocol), 3 other fatal. */
export const ExitCode = { ok: 0, usage: 1, refused: 2, fatal: 3 } as const;

export function parseChannels(value: string): Channel[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new InvalidArgumentError('give at least one channel');
  const bad = list.filter((s) => !Channel.safeParse(s).success);
  if (bad.length > 0) {
    throw new InvalidArgumentError(`unknown channel(s) ${bad.join(', ')}; use alerts, alerts:<kind>, alerts:mine, alerts:rules (admins), spreads, sectors, rrg or breadth`);
  }
  return [...new Set(list)] as Channel[];
}

function parseUrl(value: string): string {
  if (!/^wss?:\/\/[^\s]+$/i.test(value)) throw new InvalidArgumentError('must be a ws:// or wss:// URL');
  return value;
}

export function buildCommand(run: (o: WatchOptions) => Promise<number>): Command {
  return new Command('watch')
    .description('live rotation alerts and spreads from a gateway')
    .version(pkg.version, '-V, --version', 'print the version and exit')
    .option('--url <url>', 'gateway websocket URL', parseUrl, DEFAULT_URL)
    .option('--channels <list>', 'comma-separated channels: alerts, alerts:<kind>, alerts:mine, spreads, sectors, rrg, breadth', parseChannels, DEFAULT_CHANNELS)
    .option('--token <token>', 'API token (visible to other users in the process list; prefer --token-file)')
    .option('--token-file <path>', 'read the API token from this file')
    .option('--json', 'one JSON object per line on stdout, for piping')
    .option('--color', 'force colours even when stdout is not a terminal')
    .option('--no-color', 'no colours (NO_COLOR=1 works too)')
    .action(async (opts: WatchOptions) => {
      await run(opts);
    });
}

export function readToken(opts: Pick<WatchOptions, 'token' | 'tokenFile'>): string | undefined {
  if (opts.token !== undefined && opts.tokenFile !== undefined) throw new InvalidArgumentError('give --token or --token-file, not both');
  if (opts.tokenFile === undefined) return opts.token;
  let text: string;
  try {
    text = readFileSync(opts.tokenFile, 'utf8');
  } catch (cause) {
    throw new InvalidArgumentError(`cannot read --token-file: ${(cause as Error).message}`);
  }
  const token = text.trim();
  if (token.length === 0 || token.length > 4096) throw new InvalidArgumentError('--token-file must hold one token');
  return token;
}

/** Runs the watcher until the stop signal or a fatal error; returns the exit code. */
export async function watch(opts: WatchOptions, io: WatchIo): Promise<number> {
  const token = readToken(opts);
  // picocolors' verdict covers NO_COLOR, FORCE_COLOR and --no-color; a pipe gets no escape codes unless --color.
  const c = colors(!opts.json && opts.color !== false && (opts.color === true || (picocolors.isColorSupported && io.stdout.isTTY === true)));
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  const client = new RotationClient({
    url: opts.url,
    channels: opts.channels,
    ...(token !== undefined ? { token } : {}),
    ...(io.WebSocket ? { WebSocket: io.WebSocket } : {}),
  });
  const seenState = new Set<string>();
  client.on('alert', (alert, meta) => out(opts.json ? jsonAlert(alert, meta) : formatAlert(alert, meta, c)));
  client.on('state', (update) => {
    if (opts.json) return out(jsonState(update));
    const first = !seenState.has(update.channel);
    seenState.add(update.channel);
    for (const line of formatState(update, first, new Date(), c)) out(line);
  });
  client.on('status', (s) => err(formatStatus(s, c)));
  client.on('gap', (g) => err(formatGap(g, c)));
  client.on('resync', (r) => err(formatResync(r, c)));
  client.on('error', (e) => {
    // Refused connections are already explained by the "reconnecting" status line.
    if (e.code === ClientErrorCode.socket) return;
    if (e.code === ClientErrorCode.unauthorized || e.code === ClientErrorCode.protocolVersion) return;
    err(c.red(e.message));
  });

  const fatal = client.connect().then(
    () => new Promise<never>(() => undefined),
    (e: { code?: string }) => e,
  );
  const outcome = await Promise.race([io.stopSignal.then(() => 'stop' as const), fatal]);
  await client.close();
  if (outcome === 'stop') return ExitCode.ok;
  return outcome.code === ClientErrorCode.unauthorized || outcome.code === ClientErrorCode.protocolVersion ? ExitCode.refused : ExitCode.fatal;
}

/** Entry point of `pnpm watch` and `rotation watch`. */
export async function main(argv: string[]): Promise<number> {
  // `pnpm watch -- --json` passes the separator through; `rotation watch …` passes the command name.
  let args = argv[0] === '--' ? argv.slice(1) : argv;
  if (args[0] === 'watch') args = args.slice(1);
  let code: number = ExitCode.ok;
  const stopSignal = new Promise<void>((resolve) => {
    // `on`, not `once`: one Ctrl-C arrives twice under `pnpm watch` (terminal and pnpm), and a
    // signal with no handler left would kill the process with 130 in the middle of its stop.
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  const command = buildCommand(async (opts) => {
    try {
      code = await watch(opts, { stdout: process.stdout, stderr: process.stderr, stopSignal });
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      code = ExitCode.usage;
    }
    return code;
  })
    .name('rotation watch')
    .exitOverride();
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    throw error;
  }
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`rotation watch failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(ExitCode.fatal);
    },
  );
}
