import { randomUUID } from 'node:crypto';
import type { Logger } from '@rotation/log';
import { alertHistoryCodec, historyPointCodec, snapshotCodec, type Redis, type SharedKeys, type StreamEntry } from '@rotation/redis';
import type { SnapshotRecord } from '@rotation/schemas';
import type { SequencedAlert } from '../core/alert-log.js';
import { GatewayError, GatewayErrorCode } from '../core/errors.js';
import type { HistoryPosition, HistoryReader } from '../core/history-reader.js';


/**
 * Reads of the keys the detector writes. Every read has a deadline: the shared client queues
 * commands while Redis is down, and the gateway must keep serving live events meanwhile
 * rather than wait on a read that will not come back soon.
 */
export class RedisStore implements HistoryReader {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SharedKeys,
    private readonly logger: Logger,
    private readonly timeoutMs = 2_000,
  ) {}

  /** Epoch and the highest seq safe to forward (published position, else the assigned one). */
  async position(): Promise<HistoryPosition> {
    const [epoch, published, assigned] = await this.#deadline(this.redis.mget(this.keys.alertEpoch, this.keys.alertPublished, this.keys.alertSeq), 'position');
    return { epoch: epoch ?? (await this.#claimEpoch()), head: toInt(published ?? assigned) };
  }

  /**
   * A gateway that starts before any detector sets the namespace's epoch itself, the same way
   * the detector does (SET NX): whoever is first wins and both then read the same value.
   * Reporting a placeholder instead would change under clients once the detector starts and
   * send every one of them a spurious resync.
   */
  async #claimEpoch(): Promise<string> {
    const mine = randomUUID();
    // SET NX GET (Redis 7): the value already there, or null when ours went in.
    const previous = await this.#deadline(this.redis.set(this.keys.alertEpoch, mine, 'NX', 'GET'), 'epoch');
    return previous ?? mine;
  }

  async snapshot(): Promise<SnapshotRecord | undefined> {
    const raw = await this.#deadline(this.redis.get(this.keys.snapshot), 'snapshot');
    if (raw === null) return undefined;
    const parsed = snapshotCodec.decode(raw);
    if (!parsed) this.logger.warn({ key: this.keys.snapshot }, 'stored snapshot does not match the SnapshotRecord schema; ignored');
    return parsed;
  }

  /** The newest `count` alerts, oldest first. */
  async tail(count: number): Promise<SequencedAlert[]> {
    const entries = (await this.#deadline(this.redis.xrevrange(this.keys.alertHistory, '+', '-', 'COUNT', count), 'tail')) as StreamEntry[];
    return this.#alerts(entries.reverse());
  }

  /** Alerts with fromSeq <= seq <= toSeq (or to the end), oldest first, at most `count`. */
  async range(fromSeq: number, toSeq: number | undefined, count: number): Promise<SequencedAlert[]> {
    const end = toSeq === undefined ? '+' : `${toSeq}-0`;
    const entries = (await this.#deadline(this.redis.xrange(this.keys.alertHistory, `${fromSeq}-0`, end, 'COUNT', count), 'range')) as StreamEntry[];
    return this.#alerts(entries);
  }

  /** Point-history entries (id, field `p`) of `key` between XRANGE bounds, oldest first, at most `count`. */
  async historyRange(key: string, start: string, end: string, count: number): Promise<Array<[id: string, json: string]>> {
    const entries = (await this.#deadline(this.redis.xrange(key, start, end, 'COUNT', count), 'history')) as StreamEntry[];
    return entries.map(([id, fields]) => [id, historyPointCodec.rawOf(fields) ?? '']);
  }

  #alerts(entries: StreamEntry[]): SequencedAlert[] {
    const out: SequencedAlert[] = [];
    for (const entry of entries) {
      const alert = alertHistoryCodec.decode(entry);
      if (alert) out.push(alert);
      else this.logger.warn({ key: this.keys.alertHistory, id: entry[0] }, 'history entry is not a valid alert; skipped');
    }
    return out;
  }

  #deadline<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new GatewayError(GatewayErrorCode.redisTimeout, `redis ${what} took longer than ${this.timeoutMs} ms`, { what })),
        this.timeoutMs,
      );
    });
    // A late answer after the deadline must not become an unhandled rejection.
    promise.catch(() => undefined);
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function toInt(v: string | null | undefined): number {
  const n = v == null ? 0 : Number.parseInt(v, 10);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
