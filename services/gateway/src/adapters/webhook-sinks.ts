/**
 * Webhook sinks without a restart: the sinks file's and those added through the API (kept in
 * Redis, so a restart keeps them and every gateway of the namespace shares them). Each gateway
 * polls a version key and reloads on a change; what changed is applied to the relay in place
 * (a changed sink keeps its queue, a deleted one dead-letters what it held as `removed`). The
 * relay itself starts only once there is a sink: a gateway without any joins no extra group.
 */
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import { SinkConfig } from '@rotation/webhooks';
import { StoredSink, type KnownSink } from '../core/webhooks-api.js';

export interface WebhookSinksOptions {
  redis: Redis;
  /** `<ns>:webhooks:sinks` (hash) and `<ns>:webhooks:sinks:version`. */
  keys: { sinks: string; version: string };
  fileSinks: readonly SinkConfig[];
  logger: Logger;
  pollMs: number;
  /** Applies a sink added or changed (config) or removed (undefined). */
  apply: (name: string, config: SinkConfig | undefined) => Promise<void>;
}

const CREATE = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('INCR', KEYS[2]) return 1`;
// Optimistic: a change based on a version someone else has replaced meanwhile is refused.
const REPLACE = `local cur = redis.call('HGET', KEYS[1], ARGV[1]) if not cur then return 0 end
if cjson.decode(cur).version ~= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) redis.call('INCR', KEYS[2]) return 1`;
const DELETE = `if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then redis.call('INCR', KEYS[2]) return 1 end return 0`;

export type WriteResult = 'done' | 'missing' | 'exists' | 'conflict';

export class WebhookSinks {
  /** Sink name -> owner (undefined: shared), for the rules API: kept current in place. */
  readonly ownerSinks = new Map<string, string | undefined>();
  readonly #options: WebhookSinksOptions;
  #sinks = new Map<string, KnownSink>();
  #version: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #sync: Promise<void> = Promise.resolve();

  constructor(options: WebhookSinksOptions) {
    this.#options = options;
  }

  get all(): ReadonlyMap<string, KnownSink> {
    return this.#sinks;
  }

  async start(): Promise<void> {
    await this.refresh(true);
    this.#timer = setInterval(() => void this.refresh().catch((err: unknown) => this.#options.logger.warn({ err: (err as Error).message }, 'webhook sinks reload failed; keeping the ones loaded')), this.#options.pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Reloads when the version moved (or `force`), and applies the differences, one reload at a time. */
  refresh(force = false): Promise<void> {
    const run = async () => {
      const version = await this.#options.redis.get(this.#options.keys.version);
      if (!force && version === this.#version) return;
      const raw = await this.#options.redis.hgetall(this.#options.keys.sinks);
      this.#version = version;
      await this.#replace(this.#parse(raw));
    };
    this.#sync = this.#sync.then(run, run);
    return this.#sync;
  }

  async create(stored: StoredSink, name: string): Promise<WriteResult> {
    const r = await this.#options.redis.eval(CREATE, 2, this.#options.keys.sinks, this.#options.keys.version, name, JSON.stringify(stored));
    await this.refresh();
    return r === 1 ? 'done' : 'exists';
  }

  async replace(stored: StoredSink, name: string): Promise<WriteResult> {
    const r = await this.#options.redis.eval(REPLACE, 2, this.#options.keys.sinks, this.#options.keys.version, name, JSON.stringify(stored), String(stored.version - 1));
    await this.refresh();
    return r === 1 ? 'done' : r === -1 ? 'conflict' : 'missing';
  }

  async remove(name: string): Promise<WriteResult> {
    const r = await this.#options.redis.eval(DELETE, 2, this.#options.keys.sinks, this.#options.keys.version, name);
    await this.refresh();
    return r === 1 ? 'done' : 'missing';
  }

  #parse(raw: Record<string, string>): Map<string, KnownSink> {
    const next = new Map<string, KnownSink>(this.#options.fileSinks.map((c) => [c.name, { config: c, source: 'file' }]));
    for (const [name, text] of Object.entries(raw)) {
      let stored: StoredSink | undefined;
      try {
        stored = StoredSink.parse(JSON.parse(text));
      } catch {
        stored = undefined;
      }
      const config = stored ? SinkConfig.safeParse(stored.sink) : undefined;
      // Never the value: it holds the sink's secret.
      if (!stored || !config?.success || config.data.name !== name) this.#options.logger.warn({ sink: name }, 'stored webhook sink is not valid; skipped');
      else if (next.has(name)) this.#options.logger.warn({ sink: name }, 'stored webhook sink has the name of a WEBHOOKS_FILE sink; the file wins');
      else next.set(name, { config: config.data, source: 'api', stored });
    }
    return next;
  }

  async #replace(next: Map<string, KnownSink>): Promise<void> {
    const prev = this.#sinks;
    this.#sinks = next;
    this.ownerSinks.clear();
    for (const [name, s] of next) this.ownerSinks.set(name, s.config.owner);
    for (const [name, s] of next) {
      const before = prev.get(name);
      if (before && before.stored?.version === s.stored?.version && before.source === s.source) continue;
      await this.#options.apply(name, s.config);
      this.#options.logger.info({ sink: name, owner: s.config.owner, source: s.source, version: s.stored?.version }, before ? 'webhook sink changed' : 'webhook sink added');
    }
    for (const name of prev.keys()) {
      if (next.has(name)) continue;
      await this.#options.apply(name, undefined);
      this.#options.logger.info({ sink: name }, 'webhook sink removed');
    }
  }
}
