/**
 * The Polygon / Massive stocks conversation, as a pure state machine:
 *   server [{"ev":"status","status":"connected"}]     -> client {"action":"auth","params":KEY}
 *   server [{"ev":"status","status":"auth_success"}]  -> client {"action":"subscribe","params":"T.SPY,T.IWM,..."}
 *   server [{"ev":"status","status":"success","message":"subscribed to: T.SPY"}, ...] -> streaming
 * Failure statuses: auth_failed, auth_timeout (fatal), max_connections (arrives after a
 * successful subscribe, followed by close 1008: back off and retry).
 */
import type { Secret } from '@rotation/config';
import { LiveErrorCode } from '../../../core/errors.js';
import type { ProviderSession, SessionEffect } from '../session.js';
import { decodePolygonFrame, type PolygonItem } from './decode.js';

export interface PolygonSessionConfig {
  apiKey: Secret;
  symbols: readonly string[];
  channels: { trades: boolean; bars: boolean };
}

export function subscriptionParams(cfg: Pick<PolygonSessionConfig, 'symbols' | 'channels'>): string {
  const prefixes = [...(cfg.channels.trades ? ['T'] : []), ...(cfg.channels.bars ? ['AM'] : [])];
  return prefixes.flatMap((p) => cfg.symbols.map((s) => `${p}.${s}`)).join(',');
}

export function polygonSession(cfg: PolygonSessionConfig): ProviderSession {
  let subscribed = false;
  const react = (item: PolygonItem): SessionEffect[] => {
    switch (item.kind) {
      case 'quote':
        return [{ kind: 'quote', raw: item.raw, rawText: item.rawText }];
      case 'bad':
        return [{ kind: 'reject', reason: 'parse_error', message: item.message, rawText: item.rawText }];
      case 'ignored':
        return [];
      case 'status':
        return status(item);
    }
  };
  const status = (item: Extract<PolygonItem, { kind: 'status' }>): SessionEffect[] => {
    const said = `${item.status}${item.message ? `: ${item.message}` : ''}`;
    switch (item.status) {
      case 'connected':
        return [{ kind: 'send', what: 'auth', text: JSON.stringify({ action: 'auth', params: cfg.apiKey.reveal() }) }];
      case 'auth_success':
        return [
          { kind: 'log', level: 'info', message: 'authenticated' },
          { kind: 'send', what: 'subscribe', text: JSON.stringify({ action: 'subscribe', params: subscriptionParams(cfg) }) },
        ];
      case 'success':
        if (subscribed) return [];
        subscribed = true;
        return [{ kind: 'subscribed', detail: { symbols: cfg.symbols.length, first: item.message } }];
      case 'auth_failed':
        return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Polygon / Massive rejected the API key (${said}): check POLYGON_API_KEY` }];
      case 'auth_timeout':
        return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Polygon / Massive closed the stream before authentication completed (${said}): check POLYGON_API_KEY and the network path to the stream` }];
      case 'max_connections':
        return [{ kind: 'reconnect', why: 'connection_limit', message: `Polygon / Massive connection limit (${said}): another client holds this key's connection` }];
      default:
        return [
          { kind: 'log', level: 'error', message: 'Polygon / Massive reported a status', fields: { status: item.status, statusMessage: item.message } },
          { kind: 'reject', reason: 'provider_error', message: `Polygon / Massive status ${said}`, rawText: item.rawText },
        ];
    }
  };
  return {
    onOpen: () => [],
    onFrame: (text) => decodePolygonFrame(text).flatMap(react),
  };
}
