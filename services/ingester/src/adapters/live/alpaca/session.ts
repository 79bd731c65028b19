/**
 * The Alpaca stream conversation, as a pure state machine:
 *   server [{"T":"success","msg":"connected"}]      -> client {"action":"auth","key":..,"secret":..}
 *   server [{"T":"success","msg":"authenticated"}]  -> client {"action":"subscribe","trades":[..],"bars":[..]}
 *   server [{"T":"subscription","trades":[..],..}]   -> streaming
 * and the documented error codes mapped to what retrying can or cannot fix.
 */
import type { Secret } from '@rotation/config';
import { LiveErrorCode } from '../../../core/errors.js';
import type { ProviderSession, SessionEffect } from '../session.js';
import { decodeAlpacaFrame, type AlpacaItem } from './decode.js';

export interface AlpacaSessionConfig {
  keyId: Secret;
  secretKey: Secret;
  feed: string;
  symbols: readonly string[];
  channels: { trades: boolean; bars: boolean };
}

const CREDENTIALS = 'check ALPACA_KEY_ID and ALPACA_SECRET_KEY';

export function alpacaSession(cfg: AlpacaSessionConfig): ProviderSession {
  return {
    onOpen: () => [],
    onFrame(text, receivedAt) {
      const effects: SessionEffect[] = [];
      for (const item of decodeAlpacaFrame(text, receivedAt)) effects.push(...react(cfg, item));
      return effects;
    },
  };
}

function react(cfg: AlpacaSessionConfig, item: AlpacaItem): SessionEffect[] {
  switch (item.kind) {
    case 'quote':
      return [{ kind: 'quote', raw: item.raw, rawText: item.rawText }];
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

/** https://docs.alpaca.markets/docs/streaming-market-data#error-messages */
export function alpacaError(cfg: Pick<AlpacaSessionConfig, 'feed' | 'symbols'>, code: number | undefined, msg: string, rawText: string): SessionEffect[] {
  const said = `${code ?? '?'} ${msg}`.trim();
  switch (code) {
    case 401:
    case 402:
      return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Alpaca rejected the credentials (${said}): ${CREDENTIALS}` }];
    case 404:
      return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Alpaca closed the stream before authentication completed (${said}): ${CREDENTIALS} and the network path to the stream` }];
    case 405:
      return [{ kind: 'fatal', code: LiveErrorCode.symbolLimit, message: `Alpaca refused the subscription (${said}): ${cfg.symbols.length} symbols exceed the plan's symbol limit (30 on the free plan); shrink the universe or upgrade the data plan` }];
    case 406:
      return [{ kind: 'reconnect', why: 'connection_limit', message: `Alpaca connection limit exceeded (${said}): another client holds this key's connection to the ${cfg.feed} feed` }];
    case 409:
      return [{ kind: 'fatal', code: LiveErrorCode.insufficientSubscription, message: `Alpaca: the ${cfg.feed} feed needs a data subscription this account does not have (${said}); set ALPACA_FEED=iex or upgrade the plan` }];
    case 410:
      return [{ kind: 'fatal', code: LiveErrorCode.subscriptionRejected, message: `Alpaca: invalid subscribe action for the ${cfg.feed} feed (${said})` }];
    case 407:
    case 500:
      // Slow client / internal error: the server drops us (or should); a fresh connection is the fix.
      return [{ kind: 'reconnect', why: 'server_error', message: `Alpaca reported ${said}` }];
    default:
      // 400 invalid syntax, 403 already authenticated, unknown codes: not fatal, but keep the evidence.
      return [
        { kind: 'log', level: 'error', message: 'Alpaca reported an error', fields: { code, msg } },
        { kind: 'reject', reason: 'provider_error', message: `Alpaca error ${said}`, rawText },
      ];
  }
}
