import type { DeadLetterReason } from '@rotation/schemas';
import type { RawEvent, RawQuote } from '../../core/source.js';
import type { LiveErrorCode } from '../../core/errors.js';

export type LiveProvider = 'alpaca' | 'polygon' | 'finnhub';
export const LIVE_PROVIDERS: readonly LiveProvider[] = ['alpaca', 'polygon', 'finnhub'];

/**
 * What a provider session wants done in reaction to a frame. Sessions are pure (frames in,
 * effects out) so the protocol logic is tested without sockets; the connection applies the
 * effects in order.
 */
export type SessionEffect =
  /** `what` is all that may be logged: `text` can carry credentials. */
  | { kind: 'send'; text: string; what: string }
  | { kind: 'quote'; raw: RawQuote; rawText: string }
  /** A cancel or correction of an earlier print: published beside the ticks (QuoteSink.event). */
  | { kind: 'event'; raw: RawEvent; rawText: string }
  | { kind: 'reject'; reason: DeadLetterReason; message: string; rawText: string }
  /** The subscription is in place: the connection is now useful. */
  | { kind: 'subscribed'; detail: Record<string, unknown> }
  /** Retrying cannot help (bad credentials, plan limits): the source ends with this error. */
  | { kind: 'fatal'; code: LiveErrorCode; message: string }
  /** Drop this connection and connect again; `connection_limit` waits longer first. */
  | { kind: 'reconnect'; why: 'connection_limit' | 'server_error'; message: string }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> };

export interface ProviderSession {
  /** The socket is open (before any frame). */
  onOpen(): SessionEffect[];
  /** One text frame; `receivedAt` is epoch ms, for items whose event time depends on it. */
  onFrame(text: string, receivedAt: number): SessionEffect[];
}

/** What the generic connection needs to know about a provider. */
export interface ProviderSpec {
  provider: LiveProvider;
  /** May carry a credential (Finnhub's token): only ever logged through redactUrl. */
  url: string;
  newSession(): ProviderSession;
  /**
   * True when the provider can be silent for long stretches on a healthy connection (no trades
   * outside market hours), so the watchdog sends transport pings and counts pongs as life.
   * False when the provider has its own heartbeat (Finnhub's {"type":"ping"}): a stalled feed
   * can still answer transport pings, so only provider messages count.
   */
  transportHeartbeat: boolean;
}

/**
 * A warning the first time a connection sees a sale condition its provider's table does not
 * know: such a code withholds nothing (core/conditions), and saying so once per code keeps a new
 * provider code visible without a log line per print.
 */
export function unknownConditionNotice(seen: Set<string>, provider: LiveProvider, codes: readonly string[] | undefined): SessionEffect[] {
  if (codes === undefined || codes.length === 0) return [];
  const fresh = codes.filter((c) => !seen.has(c));
  if (fresh.length === 0) return [];
  for (const c of fresh) seen.add(c);
  return [{ kind: 'log', level: 'warn', message: 'sale condition not in the provider table: it withholds nothing', fields: { provider, conditions: fresh } }];
}
