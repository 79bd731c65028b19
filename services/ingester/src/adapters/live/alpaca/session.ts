/**
 * The Alpaca stream conversation, as a pure state machine:
 *   server [{"T":"success","msg":"connected"}]      -> client {"action":"auth","key":..,"secret":..}
 *   server [{"T":"success","msg":"authenticated"}]  -> client {"action":"subscribe","trades":[..],"bars":[..]}
 *   server [{"T":"subscription","trades":[..],..}]   -> streaming
 * and the documented error codes mapped to what retrying can or cannot fix.
 */
import type { Secret } from '@rotation/config';
import { LiveErrorCode } from '../../../core/errors.js';
import { unknownConditionNotice, type ProviderSession, type SessionEffect } from '../session.js';
import { decodeAlpacaFrame, type AlpacaItem } from './decode.js';

export interface AlpacaSessionConfig {
  keyId: Secret;
  secretKey: Secret;
  feed: string;
  symbols: readonly string[];
  channels: { trades: boolean; bars: boolean };
  /** ALPACA_STREAM_URL when set: it decides the feed, whatever ALPACA_FEED says. */
  streamUrl?: string;
}

const CREDENTIALS = 'check ALPACA_KEY_ID and ALPACA_SECRET_KEY';

export function alpacaSession(cfg: AlpacaSessionConfig): ProviderSession {
  const seenConditions = new Set<string>();
  return {
    onOpen: () => [],
    onFrame(text, receivedAt) {
      const effects: SessionEffect[] = [];
      for (const item of decodeAlpacaFrame(text, receivedAt)) effects.push(...react(cfg, item, seenConditions));
      return effects;
    },
  };
}

function react(cfg: AlpacaSessionConfig, item: AlpacaItem, seenConditions: Set<string>): SessionEffect[] {
  switch (item.kind) {
    case 'quote':
      return [...unknownConditionNotice(seenConditions, 'alpaca', item.unknown), { kind: 'quote', raw: item.raw, rawText: item.rawText }];
    case 'event':
      return [...unknownConditionNotice(seenConditions, 'alpaca', item.unknown), { kind: 'event', raw: item.raw, rawText: item.rawText }];
    case 'bad':
      return [{ kind: 'reject', reason: 'parse_error', message: item.message, rawText: item.rawText }];
    case 'ignored':
      return [];
    case 'success':
      if (item.msg === 'connected') {
        return [{ kind: 'send', what: 'auth', text: JSON.stringify({ action: 'auth', key: cfg.keyId.reveal(), secret: cfg.secretKey.reveal() }) }];
      }
      if (item.msg === 'authenticated') {
        const request: Record<string, unknown> = { action: 'subscribe' };
        if (cfg.channels.trades) request.trades = cfg.symbols;
        if (cfg.channels.bars) request.bars = cfg.symbols;
        return [
          { kind: 'log', level: 'info', message: 'authenticated' },
          { kind: 'send', what: 'subscribe', text: JSON.stringify(request) },
        ];
      }
      return [{ kind: 'log', level: 'debug', message: 'success message', fields: { msg: item.msg } }];
    case 'subscription': {
      const wanted = cfg.channels.trades ? 'trades' : 'bars';
      const got = new Set(item.channels[wanted] ?? []);
      const missing = got.has('*') ? [] : cfg.symbols.filter((s) => !got.has(s));
      const detail: Record<string, unknown> = Object.fromEntries(Object.entries(item.channels).map(([k, v]) => [k, v.length]));
      const effects: SessionEffect[] = [{ kind: 'subscribed', detail }];
      if (missing.length > 0) effects.push({ kind: 'log', level: 'warn', message: 'subscription reply lacks symbols of the universe', fields: { missing } });
      return effects;
    }
    case 'error':
      return alpacaError(cfg, item.code, item.msg, item.rawText);
  }
}

/** Which feed the stream is, and which setting chose it (the URL override wins over ALPACA_FEED). */
function feedOf(cfg: Pick<AlpacaSessionConfig, 'feed' | 'streamUrl'>): { feed: string; setting: string } {
  if (cfg.streamUrl === undefined) return { feed: cfg.feed, setting: `ALPACA_FEED=${cfg.feed}` };
  const last = new URL(cfg.streamUrl).pathname.split('/').filter(Boolean).pop() ?? '';
  return { feed: ['iex', 'sip', 'delayed_sip', 'test'].includes(last) ? last : cfg.feed, setting: 'ALPACA_STREAM_URL' };
}

/** How to move to another feed, in the terms of the setting in charge. */
function switchTo(cfg: Pick<AlpacaSessionConfig, 'streamUrl'>, feed: string, why: string): string {
  return cfg.streamUrl === undefined ? `set ALPACA_FEED=${feed} (${why})` : `point ALPACA_STREAM_URL at the /v2/${feed} stream (${why}; it overrides ALPACA_FEED)`;
}

/** What to do about 409 on each feed: only the paid feeds can be swapped for a cheaper one. */
function insufficientAdvice(cfg: Pick<AlpacaSessionConfig, 'streamUrl'>, feed: string): string {
  switch (feed) {
    case 'sip':
      return `${switchTo(cfg, 'iex', 'free, IEX trades only')}, or ${switchTo(cfg, 'delayed_sip', 'all exchanges, 15 minutes late')}, or upgrade to a plan with real-time SIP`;
    case 'delayed_sip':
      return `${switchTo(cfg, 'iex', 'free, IEX trades only')}, or upgrade the data plan`;
    default:
      // iex (and the test stream) come with every account: another feed cannot be the fix.
      return `the ${feed} feed is included with every Alpaca account, so another feed will not help: check that ALPACA_KEY_ID and ALPACA_SECRET_KEY belong to an account with market data access`;
  }
}

/** https://docs.alpaca.markets/docs/streaming-market-data#error-messages; every message names the feed in use. */
export function alpacaError(cfg: Pick<AlpacaSessionConfig, 'feed' | 'symbols' | 'streamUrl'>, code: number | undefined, msg: string, rawText: string): SessionEffect[] {
  const said = `${code ?? '?'} ${msg}`.trim();
  const { feed, setting } = feedOf(cfg);
  const on = `the ${feed} feed (${setting})`;
  switch (code) {
    case 401:
    case 402:
      return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Alpaca rejected the credentials (${said}) on ${on}: ${CREDENTIALS}` }];
    case 404:
      return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Alpaca closed the stream before authentication completed (${said}) on ${on}: the auth message goes out on "connected", so ${CREDENTIALS} and the network path to the stream` }];
    case 405: {
      const limit = feed === 'iex' ? 'the free plan allows 30' : 'more than the data plan allows';
      return [{ kind: 'fatal', code: LiveErrorCode.symbolLimit, message: `Alpaca refused the subscription (${said}) on ${on}: ${cfg.symbols.length} symbols, ${limit}; shrink the universe or upgrade the data plan` }];
    }
    case 406:
      return [{ kind: 'reconnect', why: 'connection_limit', message: `Alpaca connection limit exceeded (${said}) on ${on}: another client holds this key's connection to that feed` }];
    case 408:
      return [{ kind: 'fatal', code: LiveErrorCode.insufficientSubscription, message: `Alpaca: market data v2 is not enabled for this account (${said}) on ${on}; no feed setting changes that: enable it for the account behind ALPACA_KEY_ID` }];
    case 409:
      return [{ kind: 'fatal', code: LiveErrorCode.insufficientSubscription, message: `Alpaca refused the stream for lack of a data subscription (${said}) on ${on}: ${insufficientAdvice(cfg, feed)}` }];
    case 410:
      return [{ kind: 'fatal', code: LiveErrorCode.subscriptionRejected, message: `Alpaca: invalid subscribe action (${said}) on ${on}: that feed does not serve a requested channel` }];
    case 407:
    case 500:
      // Slow client / internal error: the server drops us (or should); a fresh connection is the fix.
      return [{ kind: 'reconnect', why: 'server_error', message: `Alpaca reported ${said} on ${on}; reconnecting` }];
    default:
      // 400 invalid syntax, 403 already authenticated, unknown codes: not fatal, but keep the evidence.
      return [
        { kind: 'log', level: 'error', message: 'Alpaca reported an error', fields: { code, msg, feed } },
        { kind: 'reject', reason: 'provider_error', message: `Alpaca error ${said}`, rawText },
      ];
  }
}
