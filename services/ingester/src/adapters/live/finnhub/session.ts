/**
 * The Finnhub trades conversation. Authentication is the token in the URL (a bad one is refused
 * at the handshake with HTTP 401); subscriptions are one message per symbol and are not
 * acknowledged, so the session counts as subscribed once they are sent.
 */
import { LiveErrorCode } from '../../../core/errors.js';
import { unknownConditionNotice, type ProviderSession, type SessionEffect } from '../session.js';
import { decodeFinnhubFrame, type FinnhubItem } from './decode.js';

export interface FinnhubSessionConfig {
  symbols: readonly string[];
}

/** Error texts that mean the token is bad: retrying with the same token cannot help. */
const AUTH_ERROR = /token|api key|unauthori[sz]ed|auth/i;

/** Heartbeats come a minute or two apart: a debug line each shows when the feed last spoke. */
const HEARTBEAT: SessionEffect = { kind: 'log', level: 'debug', message: 'heartbeat' };

export function finnhubSession(cfg: FinnhubSessionConfig): ProviderSession {
  const seenConditions = new Set<string>();
  const react = (item: FinnhubItem): SessionEffect[] => {
    switch (item.kind) {
      case 'quote':
        return [...unknownConditionNotice(seenConditions, 'finnhub', item.unknown), { kind: 'quote', raw: item.raw, rawText: item.rawText }];
      case 'bad':
        return [{ kind: 'reject', reason: 'parse_error', message: item.message, rawText: item.rawText }];
      case 'ping':
        return [HEARTBEAT];
      case 'ignored':
        return [];
      case 'error':
        if (AUTH_ERROR.test(item.msg)) {
          return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Finnhub rejected the token (${item.msg}): check FINNHUB_TOKEN` }];
        }
        // E.g. "Subscribing to too many symbols": the connection stays up with the symbols that fit.
        return [
          { kind: 'log', level: 'error', message: 'Finnhub reported an error', fields: { msg: item.msg } },
          { kind: 'reject', reason: 'provider_error', message: `Finnhub error: ${item.msg}`, rawText: item.rawText },
        ];
    }
  };
  return {
    onOpen: () => [
      ...cfg.symbols.map((symbol): SessionEffect => ({ kind: 'send', what: 'subscribe', text: JSON.stringify({ type: 'subscribe', symbol }) })),
      { kind: 'subscribed', detail: { symbols: cfg.symbols.length } },
    ],
    onFrame: (text) => decodeFinnhubFrame(text).flatMap(react),
  };
}
