/**
 * `rotation watch` (also `pnpm watch`): a live alert feed and the current spreads in a
 * terminal, or one JSON object per line with --json for piping into jq, a logger or a bot.
 * Data goes to stdout; connection status and problems go to stderr.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import picocolors from 'picocolors';
import { Channel } from '@rotation/schemas';
import { isAlertChannel } from '../channels.js';
import { RotationClient, type ClientOptions, type StateUpdate } from '../client.js';
import { ClientErrorCode } from '../errors.js';
import { pipeClosed } from './pipe.js';
import { StateThrottle } from './throttle.js';
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
  alertsOnly?: boolean;
  /** Text mode: seconds between two prints of a state channel (0 = every update). */
  stateEvery?: number;
}

export const DEFAULT_STATE_EVERY_S = 10;

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

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 3600) throw new InvalidArgumentError('seconds from 0 to 3600');
  return n;
}

/**
 * Text-mode state printing: the first value of each channel at once, later ones at most every
 * `everyS` seconds with their changed rows merged (throttle.ts). Returns the update handler and
 * a stop function that clears the pending timer.
 */
function textStatePrinter(everyS: number, print: (update: StateUpdate, first: boolean) => void): { onUpdate: (u: StateUpdate) => void; stop: () => void } {
  const throttle = new StateThrottle<StateUpdate>(everyS * 1000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer) return;
    const wait = throttle.nextDueIn(Date.now());
    if (wait === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      for (const r of throttle.release(Date.now())) print({ ...r.value, changed: r.changed }, false);
      arm();
    }, wait);
  };
  return {
    onUpdate: (update) => {
      const r = throttle.offer(update.channel, update, update.changed, Date.now());
      if (r) print({ ...r.value, changed: r.changed }, r.first);
      arm();
    },
    stop: () => clearTimeout(timer),
  };
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
    .option('--alerts-only', 'only the alert channels of --channels (default: alerts), no state blocks')
    .option('--state-every <seconds>', `text mode: print each state channel at most every N seconds, its changes merged (0 = every update)`, parseSeconds, DEFAULT_STATE_EVERY_S)
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

/** The channels to subscribe: with --alerts-only, the alert channels among those asked for. */
export function watchedChannels(opts: Pick<WatchOptions, 'channels' | 'alertsOnly'>): Channel[] {
  if (!opts.alertsOnly) return opts.channels;
  const alerts = opts.channels.filter(isAlertChannel);
  if (alerts.length === 0) throw new InvalidArgumentError(`--alerts-only with no alert channel in --channels (${opts.channels.join(',')})`);
  return alerts;
}

/** Runs the watcher until the stop signal or a fatal error; returns the exit code. */
export async function watch(opts: WatchOptions, io: WatchIo): Promise<number> {
  const token = readToken(opts);
  const channels = watchedChannels(opts);
  // picocolors' verdict covers NO_COLOR, FORCE_COLOR and --no-color; a pipe gets no escape codes unless --color.
  const c = colors(!opts.json && opts.color !== false && (opts.color === true || (picocolors.isColorSupported && io.stdout.isTTY === true)));
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  const client = new RotationClient({
    url: opts.url,
    channels,
    ...(token !== undefined ? { token } : {}),
    ...(io.WebSocket ? { WebSocket: io.WebSocket } : {}),
  });
  const text = textStatePrinter(opts.stateEvery ?? DEFAULT_STATE_EVERY_S, (update, first) => {
    for (const line of formatState(update, first, new Date(), c)) out(line);
  });
  client.on('alert', (alert, meta) => out(opts.json ? jsonAlert(alert, meta, new Date()) : formatAlert(alert, meta, c)));
  client.on('state', (update) => (opts.json ? out(jsonState(update, new Date())) : text.onUpdate(update)));
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
  const outcome = await Promise.race([io.stopSignal.then(() => 'stop' as const), fatal]).finally(() => text.stop());
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
  // `on`, not `once`: one Ctrl-C can arrive twice (from the terminal to the whole group, and
  // relayed by pnpm), and a second SIGINT without a listener would kill the process by signal.
  const signalled = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  // A closed reader (`| head`) stops the watcher like Ctrl-C does: exit 0, nothing printed.
  const stopSignal = Promise.race([signalled, pipeClosed([process.stdout, process.stderr])]);
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
