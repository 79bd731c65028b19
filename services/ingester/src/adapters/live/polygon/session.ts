/**
 * The Polygon / Massive stocks conversation, as a pure state machine:
 *   server [{"ev":"status","status":"connected"}]     -> client {"action":"auth","params":KEY}
 *   server [{"ev":"status","status":"auth_success"}]  -> client {"action":"subscribe","params":"T.SPY,T.IWM,..."}
 *   server [{"ev":"status","status":"success","message":"subscribed to: T.SPY"}, ...] -> streaming
 * Failure statuses: auth_failed, auth_timeout (fatal), max_connections (arrives after a
 * successful subscribe, followed by close 1008: back off and retry). auth_failed also carries
 * "Your plan doesn't include websocket access": the key is fine, the plan lacks the stream.
 * Clusters of 2019 acknowledged auth as [{"status":"success","message":"authenticated"}].
 */
import type { Secret } from '@rotation/config';
import { LiveErrorCode } from '../../../core/errors.js';
import { unknownConditionNotice, type ProviderSession, type SessionEffect } from '../session.js';
import { decodePolygonFrame, type PolygonItem } from './decode.js';

export type PolygonFeed = 'realtime' | 'delayed';

/** POLYGON_FEED picks one of these unless POLYGON_STREAM_URL overrides it. */
export const POLYGON_STREAM_URLS: Readonly<Record<PolygonFeed, string>> = {
  realtime: 'wss://socket.massive.com/stocks',
  delayed: 'wss://delayed.massive.com/stocks',
};

export interface PolygonSessionConfig {
  apiKey: Secret;
  symbols: readonly string[];
  channels: { trades: boolean; bars: boolean };
  /** For the error messages: which setting chose the stream, so they name the one to change. */
  feed?: PolygonFeed;
  streamUrl?: string;
}

/** The plan-level refusal arrives as auth_failed too; only its text tells it from a bad key. */
const PLAN_REFUSAL = /your plan|upgrade|not (?:included|entitled)/i;

/** auth_failed for a valid key whose plan does not include this stream: name the setting to change. */
export function planRefusal(cfg: Pick<PolygonSessionConfig, 'feed' | 'streamUrl'>, said: string): string {
  const lead = `Polygon / Massive accepted no websocket for this plan (${said}): the key is fine, the plan does not include`;
  if (cfg.streamUrl !== undefined) {
    return `${lead} the stream POLYGON_STREAM_URL points at (it overrides POLYGON_FEED); point it at ${POLYGON_STREAM_URLS.delayed} (15-minute delayed) or unset it and set POLYGON_FEED=delayed, or upgrade the plan`;
  }
  if ((cfg.feed ?? 'realtime') === 'realtime') {
    return `${lead} the real-time stream; set POLYGON_FEED=delayed for the 15-minute delayed stream (${POLYGON_STREAM_URLS.delayed}), or upgrade the plan`;
  }
  return `${lead} even the delayed stream (POLYGON_FEED=delayed); upgrade the plan to one with websocket access`;
}

export function subscriptionParams(cfg: Pick<PolygonSessionConfig, 'symbols' | 'channels'>): string {
  const prefixes = [...(cfg.channels.trades ? ['T'] : []), ...(cfg.channels.bars ? ['AM'] : [])];
  return prefixes.flatMap((p) => cfg.symbols.map((s) => `${p}.${s}`)).join(',');
}

export function polygonSession(cfg: PolygonSessionConfig): ProviderSession {
  const requested = subscriptionParams(cfg);
  const channels = new Set(requested.split(','));
  const seenConditions = new Set<string>();
  let authenticated = false;
  let subscribed = false;
  const react = (item: PolygonItem): SessionEffect[] => {
    switch (item.kind) {
      case 'quote':
        return [...unknownConditionNotice(seenConditions, 'polygon', item.unknown), { kind: 'quote', raw: item.raw, rawText: item.rawText }];
      case 'bad':
        return [{ kind: 'reject', reason: 'parse_error', message: item.message, rawText: item.rawText }];
      case 'ignored':
        return [];
      case 'status':
        return status(item);
    }
  };
  const onAuthenticated = (how: string): SessionEffect[] => {
    if (authenticated) return [];
    authenticated = true;
    return [
      { kind: 'log', level: 'info', message: how },
      { kind: 'send', what: 'subscribe', text: JSON.stringify({ action: 'subscribe', params: requested }) },
    ];
  };
  /** "success" acknowledges a (un)subscription, or, on 2019-era clusters, the authentication. */
  const success = (message: string): SessionEffect[] => {
    const text = message.trim();
    if (/^authenticated$/i.test(text)) return onAuthenticated('authenticated (2019-style "success" acknowledgement)');
    const sub = /^subscribed to:\s*(.+)$/i.exec(text);
    if (sub) {
      const channel = sub[1]!.trim();
      if (!channels.has(channel)) return [{ kind: 'log', level: 'warn', message: 'Polygon / Massive acknowledged a subscription this client did not ask for', fields: { channel } }];
      if (subscribed) return [];
      subscribed = true;
      return [{ kind: 'subscribed', detail: { symbols: cfg.symbols.length, first: text } }];
    }
    return [{ kind: 'log', level: 'debug', message: 'Polygon / Massive status', fields: { status: 'success', statusMessage: text } }];
  };
  const status = (item: Extract<PolygonItem, { kind: 'status' }>): SessionEffect[] => {
    const said = `${item.status}${item.message ? `: ${item.message}` : ''}`;
    switch (item.status) {
      case 'connected':
        return [{ kind: 'send', what: 'auth', text: JSON.stringify({ action: 'auth', params: cfg.apiKey.reveal() }) }];
      case 'auth_success':
        return onAuthenticated('authenticated');
      case 'success':
        return success(item.message);
      case 'auth_failed':
        if (PLAN_REFUSAL.test(item.message)) return [{ kind: 'fatal', code: LiveErrorCode.insufficientSubscription, message: planRefusal(cfg, said) }];
        return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Polygon / Massive rejected the API key (${said}): check POLYGON_API_KEY` }];
      case 'auth_timeout':
        return [{ kind: 'fatal', code: LiveErrorCode.authFailed, message: `Polygon / Massive closed the stream before authentication completed (${said}): check POLYGON_API_KEY and the network path to the stream` }];
      case 'max_connections':
        return [{ kind: 'reconnect', why: 'connection_limit', message: `Polygon / Massive connection limit (${said}): another client holds this key's connection (often an earlier process still running); retrying later with the connection-limit backoff` }];
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
