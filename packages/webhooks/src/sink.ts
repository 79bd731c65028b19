import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@rotation/log';
import type { Alert } from '@rotation/schemas';
import { discordBody, jsonBody, slackBody } from './body.js';
import type { SinkConfig } from './config.js';
import { acceptsAlert } from './filter.js';
import { classifyStatus, retryDelay } from './retry.js';
import { WebhookError, WebhookErrorCode } from './errors.js';
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './sign.js';

const BODY: Record<SinkConfig['format'], (alert: Alert) => string> = { json: jsonBody, slack: slackBody, discord: discordBody };

/** `refused_target`: the host resolved to a loopback, private or link-local address and those are not allowed. */
/** `removed`: the sink was deleted (through the API) with the alert still queued. */
export type DeadLetterReason = 'max_attempts' | 'rejected' | 'refused_target' | 'queue_full' | 'removed' | 'shutdown';

/** What the dispatcher hands to `deadLetter`: enough to redeliver by hand, nothing secret (no URL, no headers). */
export interface DeadLetterEntry {
  sink: string;
  alert: Alert;
  reason: DeadLetterReason;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  /** ISO time the alert was given up on. */
  at: string;
}

export interface SinkStats {
  queued: number;
  delivered: number;
  failedAttempts: number;
  deadLettered: number;
  filtered: number;
}

/** How a sink finished with an alert it had queued. */
export type Settlement = 'delivered' | Exclude<DeadLetterReason, 'shutdown'>;

export interface SinkDeps {
  logger: Logger;
  deadLetter: (entry: DeadLetterEntry) => void | Promise<void>;
  /**
   * Called once per alert this sink accepted (push returned 'queued' or 'queue_full') when it
   * is done with it: delivered, or dead-lettered and its dead letter recorded. Alerts left
   * over at close ('shutdown') are never settled, so a relay does not commit past them.
   */
  onSettled?: (alert: Alert, how: Settlement, sink: string) => void;
  fetch: typeof fetch;
  random: () => number;
  now: () => number;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; refused?: boolean; retryAfterMs?: number; status?: number; error: string };

/**
 * One sink: a bounded FIFO drained by a single loop, so alerts reach the receiver in the
 * order they were pushed and at most one request is in flight. The head is retried until it
 * is delivered or dead-lettered before the next alert goes out (ordering over throughput:
 * alerts are rare, and a receiver seeing B before A would misread the rotation).
 */
export class SinkWorker {
  #cfg: SinkConfig;
  readonly #deps: SinkDeps;
  readonly #log: Logger;
  readonly #queue: Alert[] = [];
  readonly #abort = new AbortController();
  readonly stats: SinkStats = { queued: 0, delivered: 0, failedAttempts: 0, deadLettered: 0, filtered: 0 };
  #running: Promise<void> | undefined;
  #closing = false;

  constructor(cfg: SinkConfig, deps: SinkDeps) {
    this.#cfg = cfg;
    this.#deps = deps;
    // The sink's name only: its URL may carry a credential.
    this.#log = deps.logger.child({ sink: cfg.name });
  }

  get name(): string {
    return this.#cfg.name;
  }

  /**
   * Takes a changed config (same name): the next attempt uses its URL, secret and headers, the
   * next push its filter. What is queued stays queued, in order, and is settled as before.
   */
  reconfigure(cfg: SinkConfig): void {
    if (cfg.name !== this.#cfg.name) throw new WebhookError(WebhookErrorCode.invalidSinks, `a sink keeps its name (${this.#cfg.name})`, { name: cfg.name });
    this.#cfg = cfg;
  }

  /**
   * The sink was deleted: stops at once (the in-flight attempt is aborted) and dead-letters
   * what was queued as `removed`, settled, so a relay commits past it rather than wait for a
   * sink that is gone.
   */
  async retire(): Promise<void> {
    this.#closing = true;
    this.#abort.abort();
    await this.#running;
    const rest = this.#queue.splice(0);
    this.stats.queued = 0;
    for (const alert of rest) {
      await this.#deadLetter({ alert, reason: 'removed', attempts: 0 });
      this.#settle(alert, 'removed');
    }
  }

  /** Queues the alert if the sink wants it; never blocks and never throws. */
  push(alert: Alert): 'queued' | 'filtered' | 'queue_full' | 'closed' {
    if (this.#closing) return 'closed';
    if (!acceptsAlert(this.#cfg, alert)) {
      this.stats.filtered += 1;
      return 'filtered';
    }
    if (this.#queue.length >= this.#cfg.queueSize) {
      void this.#deadLetter({ alert, reason: 'queue_full', attempts: 0 }).then(() => this.#settle(alert, 'queue_full'));
      return 'queue_full';
    }
    this.#queue.push(alert);
    this.stats.queued = this.#queue.length;
    this.#kick();
    return 'queued';
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      // A push that landed between the loop's last check and this callback must not wait for the next push.
      if (this.#queue.length > 0 && !this.#abort.signal.aborted) this.#kick();
    });
  }

  /**
   * Stops taking alerts and lets the queue drain until `deadline` (epoch ms); whatever is
   * still queued then (the in-flight one included) is dead-lettered as `shutdown`.
   */
  async close(deadline: number): Promise<void> {
    this.#closing = true;
    while (this.#running) {
      const running = this.#running;
      const timerAbort = new AbortController();
      const timeout = sleep(Math.max(0, deadline - this.#deps.now()), 'timeout' as const, { signal: timerAbort.signal }).catch(() => 'done' as const);
      const first = await Promise.race([running.then(() => 'done' as const), timeout]);
      timerAbort.abort();
      if (first === 'timeout') {
        this.#abort.abort();
        await running;
      }
    }
    const rest = this.#queue.splice(0);
    for (const alert of rest) await this.#deadLetter({ alert, reason: 'shutdown', attempts: 0 });
    this.stats.queued = 0;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#abort.signal.aborted) {
      const alert = this.#queue[0]!;
      let attempts = 0;
      let how: Settlement = 'delivered';
      for (;;) {
        attempts += 1;
        const result = await this.#attempt(alert, attempts);
        if (this.#abort.signal.aborted) return;
        if (result.ok) {
          this.stats.delivered += 1;
          this.#log.debug({ alertId: alert.id, attempts }, 'webhook delivered');
          break;
        }
        this.stats.failedAttempts += 1;
        const detail = { alertId: alert.id, attempt: attempts, status: result.status, error: result.error };
        if (!result.retry || attempts >= this.#cfg.maxAttempts) {
          this.#log.warn(detail, 'webhook delivery given up; dead-lettered');
          how = result.retry ? 'max_attempts' : result.refused ? 'refused_target' : 'rejected';
          await this.#deadLetter({
            alert,
            reason: how,
            attempts,
            ...(result.status !== undefined ? { lastStatus: result.status } : {}),
            lastError: result.error,
          });
          break;
        }
        const delay = retryDelay(attempts, this.#cfg.backoff, this.#deps.random, result.retryAfterMs);
        this.#log.info({ ...detail, retryInMs: delay }, 'webhook delivery failed; will retry');
        try {
          await sleep(delay, undefined, { signal: this.#abort.signal });
        } catch {
          return; // aborted by close(): the queue (head included) is dead-lettered there
        }
      }
      this.#queue.shift();
      this.stats.queued = this.#queue.length;
      this.#settle(alert, how);
    }
  }

  #settle(alert: Alert, how: Settlement): void {
    try {
      this.#deps.onSettled?.(alert, how, this.#cfg.name);
    } catch (error) {
      this.#log.error({ alertId: alert.id, err: (error as Error).message }, 'onSettled callback threw');
    }
  }

  async #attempt(alert: Alert, attempt: number): Promise<Attempt> {
    const body = BODY[this.#cfg.format](alert);
    const timestamp = Math.floor(this.#deps.now() / 1000);
    const headers: Record<string, string> = {
      ...this.#cfg.headers,
      'content-type': 'application/json',
      'user-agent': 'rotation-webhooks/1',
      'x-rotation-event': 'alert',
      // The same for every attempt of one alert: a receiver dedupes redeliveries with it.
      'x-rotation-delivery': `${this.#cfg.name}:${alert.id}`,
      'x-rotation-attempt': String(attempt),
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (this.#cfg.secret) headers[SIGNATURE_HEADER] = signBody(this.#cfg.secret.reveal(), timestamp, body);
    let response: Response;
    try {
      response = await this.#deps.fetch(this.#cfg.url, {
        method: 'POST',
        headers,
        body,
        // A redirect would re-send a signed alert somewhere nobody configured.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#cfg.timeoutMs), this.#abort.signal]),
      });
    } catch (error) {
      // Resolving to the same forbidden address again will not help: dead-letter at once.
      if (error instanceof WebhookError && error.code === WebhookErrorCode.targetRefused) return { ok: false, retry: false, refused: true, error: error.message };
      return { ok: false, retry: true, error: describeFetchError(error, this.#cfg.timeoutMs) };
    }
    // The body is not needed; cancelling frees the connection for the next request.
    await response.body?.cancel().catch(() => undefined);
    const outcome = classifyStatus(response.status, response.headers.get('retry-after'), this.#deps.now());
    if (outcome.kind === 'delivered') return { ok: true };
    return {
      ok: false,
      retry: outcome.kind === 'retry',
      ...(outcome.kind === 'retry' && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      status: response.status,
      error: `HTTP ${response.status}`,
    };
  }

  async #deadLetter(e: Omit<DeadLetterEntry, 'sink' | 'at'>): Promise<void> {
    this.stats.deadLettered += 1;
    const entry: DeadLetterEntry = { sink: this.#cfg.name, at: new Date(this.#deps.now()).toISOString(), ...e };
    try {
      await this.#deps.deadLetter(entry);
    } catch (error) {
      this.#log.error({ alertId: e.alert.id, reason: e.reason, err: (error as Error).message }, 'dead-letter callback failed; alert dropped');
    }
  }
}

/** fetch() failures name their cause (ECONNREFUSED, timeout) without repeating the URL. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  if (e?.name === 'AbortError') return 'aborted';
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return 'network error';
}
