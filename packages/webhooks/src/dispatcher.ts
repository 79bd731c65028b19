import type { Logger } from '@rotation/log';
import type { Alert } from '@rotation/schemas';
import { loadWebhooksFile, type SinkConfig } from './config.js';
import { WebhookError, WebhookErrorCode } from './errors.js';
import { SinkWorker, type DeadLetterEntry, type SinkDeps, type SinkStats } from './sink.js';
import { guardedFetch } from './transport.js';

export interface DispatcherOptions {
  sinks: readonly SinkConfig[];
  logger: Logger;
  /** Called once per alert a sink gives up on. The wiring writes these to Redis. */
  deadLetter: (entry: DeadLetterEntry) => void | Promise<void>;
  /** See SinkDeps.onSettled: lets a relay commit an alert once every sink is done with it. */
  onSettled?: SinkDeps['onSettled'];
  /**
   * Let sinks post to loopback, private and link-local addresses (WEBHOOKS_ALLOW_PRIVATE_TARGETS).
   * Off by default: a sinks file must not turn the gateway into a proxy into its own network.
   */
  allowPrivateTargets?: boolean;
  /** Default: guardedFetch, which judges every resolved address against allowPrivateTargets. */
  fetch?: typeof fetch;
  random?: () => number;
  now?: () => number;
}

/**
 * Fans alerts out to every configured sink. Each sink has its own bounded queue and delivery
 * loop, so a receiver that is down delays nobody else. push() never blocks and never throws.
 */
export class WebhookDispatcher {
  #workers: SinkWorker[];
  readonly #logger: Logger;
  readonly #deps: SinkDeps;
  #closed: Promise<void> | undefined;

  constructor(options: DispatcherOptions) {
    this.#logger = options.logger;
    const deps = {
      logger: options.logger,
      deadLetter: options.deadLetter,
      ...(options.onSettled ? { onSettled: options.onSettled } : {}),
      fetch: options.fetch ?? guardedFetch({ allowPrivate: options.allowPrivateTargets ?? false }),
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    };
    this.#deps = deps;
    const names = options.sinks.map((s) => s.name);
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupes.length > 0) throw new WebhookError(WebhookErrorCode.invalidSinks, `sink names must be unique; repeated: ${[...new Set(dupes)].join(', ')}`, { names });
    this.#workers = options.sinks.map((cfg) => new SinkWorker(cfg, deps));
  }

  /** The alert goes to every sink whose filter accepts it. Returns what each sink did with it. */
  push(alert: Alert): Record<string, 'queued' | 'filtered' | 'queue_full' | 'closed'> {
    const out: Record<string, 'queued' | 'filtered' | 'queue_full' | 'closed'> = {};
    for (const w of this.#workers) out[w.name] = w.push(alert);
    return out;
  }

  /** Adds a sink, or changes the one of that name in place (its queue kept). */
  upsert(cfg: SinkConfig): 'added' | 'changed' {
    const existing = this.#workers.find((w) => w.name === cfg.name);
    if (existing) {
      existing.reconfigure(cfg);
      return 'changed';
    }
    this.#workers = [...this.#workers, new SinkWorker(cfg, this.#deps)];
    return 'added';
  }

  /** Removes a sink: it gets no more alerts, and what it still held is dead-lettered as `removed`. */
  async remove(name: string): Promise<boolean> {
    const worker = this.#workers.find((w) => w.name === name);
    if (!worker) return false;
    this.#workers = this.#workers.filter((w) => w !== worker);
    await worker.retire();
    return true;
  }

  stats(): Record<string, SinkStats> {
    return Object.fromEntries(this.#workers.map((w) => [w.name, { ...w.stats }]));
  }

  get sinkNames(): string[] {
    return this.#workers.map((w) => w.name);
  }

  /**
   * Stops accepting alerts and drains every sink for at most `timeoutMs`; what is still
   * undelivered then is dead-lettered with reason `shutdown`, so nothing vanishes silently.
   */
  close(timeoutMs = 10_000): Promise<void> {
    this.#closed ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      await Promise.all(this.#workers.map((w) => w.close(deadline)));
      this.#logger.info({ sinks: this.stats() }, 'webhook dispatcher closed');
    })();
    return this.#closed;
  }
}

/** A dispatcher for the sinks in WEBHOOKS_FILE. Throws ConfigError naming the file and path on a bad file. */
export function dispatcherFromFile(file: string, options: Omit<DispatcherOptions, 'sinks'>): WebhookDispatcher {
  return new WebhookDispatcher({ ...options, sinks: loadWebhooksFile(file).sinks });
}
