import type { Logger } from '@rotation/log';
import { alertHistoryCodec, historyPointCodec, snapshotCodec, type Redis } from '@rotation/redis';
import type { Alert, SnapshotRecord } from '@rotation/schemas';
import { DetectorError, DetectorErrorCode } from '../core/errors.js';
import type { CoreState } from '../core/state.js';
import type { CommitRequest, Committed, Loaded, StateStore } from '../core/store.js';
import type { DetectorKeys } from './redis-keys.js';
import { joinStored, type StoredRule } from '../core/rules/book.js';
import type { RunState } from '../core/rules/machine.js';
import { RRG_TRACK, type HistoryTrack } from '../core/history.js';

/** A stored hash of JSON values; one that is not JSON makes the state unusable, like a corrupt state. */
function parseHash<T>(raw: Record<string, string>, key: string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [id, text] of Object.entries(raw)) {
    try {
      out[id] = JSON.parse(text) as T;
    } catch (cause) {
      throw new DetectorError(DetectorErrorCode.stateCorrupt, `${key} field ${id} is not JSON`, {}, { cause });
    }
  }
  return out;
}

/** History kept for resumes: about a week of a busy alert stream; XADD trims approximately (cheap). */
export const ALERT_HISTORY_MAX = 10_000;

/**
 * The production state store. One commit = one MULTI/EXEC holding the state, the appended
 * closes, the offsets, the alerts (history stream + seq) and the snapshot (+ version), under
 * WATCH of the fencing token and the commit counter:
 * - a zombie instance that lost its partitions finds the token changed and cannot write;
 * - a commit whose EXEC reply was lost is retried safely: if the counter already moved by one,
 *   the first attempt landed and nothing is written twice.
 * The connection must not queue commands while offline (see createCommitConnection), or a
 * stale EXEC could be replayed after a reconnect without its WATCH.
 */
export class RedisStateStore implements StateStore {
  readonly #redis: Redis;
  readonly #keys: DetectorKeys;
  readonly #symbols: readonly string[];
  readonly #ringLength: number;
  readonly #logger: Logger;
  readonly #history: readonly HistoryTrack[];
  #token: string | null = null;
  #commits = 0;
  #inDoubt = false;

  /** `history`: the point-history tracks (core/history.ts), whose streams a fresh state clears. */
  constructor(redis: Redis, keys: DetectorKeys, symbols: readonly string[], ringLength: number, logger: Logger, history: readonly HistoryTrack[] = []) {
    this.#redis = redis;
    this.#keys = keys;
    this.#symbols = symbols;
    this.#ringLength = ringLength;
    this.#logger = logger;
    this.#history = history;
  }

  #historyKey(track: HistoryTrack): string {
    return track.id === RRG_TRACK ? this.#keys.shared.historyRrg : this.#keys.shared.historyWindow(track.id);
  }

  /**
   * A state that starts over (none stored) starts its point history over too: its points'
   * event times may lie before those stored, and a stream only takes increasing ids.
   */
  async #resetHistory(): Promise<void> {
    if (this.#history.length > 0) await this.#redis.del(...this.#history.map((t) => this.#historyKey(t)));
  }

  /** Takes ownership: later commits of any previous owner fail their WATCH. */
  async acquire(): Promise<string> {
    this.#token = String(await this.#redis.incr(this.#keys.fence));
    return this.#token;
  }

  /** Refuses state built from a different universe or settings instead of mixing the two. */
  async checkSettings(fingerprint: string): Promise<void> {
    const set = await this.#redis.set(this.#keys.settings, fingerprint, 'NX');
    if (set === 'OK') return;
    const stored = await this.#redis.get(this.#keys.settings);
    if (stored !== fingerprint) {
      throw new DetectorError(
        DetectorErrorCode.stateCorrupt,
        `the detector state under "${this.#keys.settings}" was built with a different universe or detector settings; use a new ROTATION_NAMESPACE or delete the namespace's detector keys to rebuild`,
        { stored, fingerprint },
      );
    }
  }

  async load(): Promise<Loaded | null> {
    const [state, commits, offsets, rules, runs, ruleOffsets] = await Promise.all([
      this.#redis.get(this.#keys.state),
      this.#redis.get(this.#keys.commit),
      this.#redis.hgetall(this.#keys.offsets),
      this.#redis.hgetall(this.#keys.rules),
      this.#redis.hgetall(this.#keys.ruleRuns),
      this.#redis.hgetall(this.#keys.ruleOffsets),
    ]);
    this.#commits = Number(commits ?? 0);
    this.#inDoubt = false;
    if (state === null) {
      await this.#resetHistory();
      return null;
    }
    let parsed: CoreState;
    try {
      parsed = JSON.parse(state) as CoreState;
    } catch (cause) {
      throw new DetectorError(DetectorErrorCode.stateCorrupt, `${this.#keys.state} is not JSON`, {}, { cause });
    }
    const pipe = this.#redis.pipeline();
    for (const sym of this.#symbols) pipe.lrange(this.#keys.closes(sym), 0, -1);
    const lists = (await pipe.exec()) ?? [];
    const closes: Record<string, number[]> = {};
    this.#symbols.forEach((sym, i) => {
      const [err, values] = lists[i] ?? [new Error('missing reply'), null];
      if (err) throw new DetectorError(DetectorErrorCode.stateCorrupt, `cannot read closes of ${sym}: ${err.message}`, {}, { cause: err });
      closes[sym] = (values as string[]).map(Number);
    });
    return { state: parsed, closes, offsets, rules: joinStored(parseHash<StoredRule>(rules, this.#keys.rules), parseHash<RunState>(runs, this.#keys.ruleRuns)), ruleOffsets };
  }

  async commit(req: CommitRequest): Promise<Committed> {
    if (this.#token === null) throw new DetectorError(DetectorErrorCode.fenced, 'commit before acquire()');
    const r = this.#redis;
    const k = this.#keys;
    await r.watch(k.fence, k.commit);
    const [fence, commits, seqText, versionText] = await r.mget(k.fence, k.commit, k.shared.alertSeq, k.version);
    const n = Number(commits ?? 0);
    if (fence !== this.#token) {
      await r.unwatch();
      throw new DetectorError(DetectorErrorCode.fenced, `another detector instance took over (fence ${String(fence)}, ours ${this.#token})`);
    }
    if (this.#inDoubt && n === this.#commits + 1) {
      // The previous attempt's EXEC landed but its reply was lost: done already.
      await r.unwatch();
      this.#commits = n;
      this.#inDoubt = false;
      this.#logger.info({ commit: n }, 'commit reply was lost but the commit had landed');
      return { alerts: [], snapshot: null };
    }
    if (n !== this.#commits) {
      await r.unwatch();
      throw new DetectorError(DetectorErrorCode.fenced, `commit counter is ${n}, expected ${this.#commits}: state was changed by someone else`);
    }
    let seq = Number(seqText ?? 0);
    const multi = r.multi();
    multi.set(k.state, JSON.stringify(req.state));
    const rewritten = req.rewritten ?? {};
    for (const [sym, values] of Object.entries(req.appended)) {
      if (values.length === 0 || rewritten[sym] !== undefined) continue;
      multi.rpush(k.closes(sym), ...values.map(String));
      multi.ltrim(k.closes(sym), -this.#ringLength, -1);
    }
    // A corporate action restated these closes: the stored list is replaced in the same transaction.
    for (const [sym, values] of Object.entries(rewritten)) {
      multi.del(k.closes(sym));
      if (values.length > 0) multi.rpush(k.closes(sym), ...values.slice(-this.#ringLength).map(String));
    }
    if (Object.keys(req.offsets).length > 0) multi.hset(k.offsets, req.offsets);
    const hashOf = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([id, v]) => [id, JSON.stringify(v)]));
    if (Object.keys(req.rules?.records ?? {}).length > 0) multi.hset(k.rules, hashOf(req.rules!.records));
    if (Object.keys(req.rules?.runs ?? {}).length > 0) multi.hset(k.ruleRuns, hashOf(req.rules!.runs));
    const fired = Object.entries(req.rules?.fired ?? {});
    if (fired.length > 0) multi.hset(k.shared.rulesLastFired, Object.fromEntries(fired.map(([id, f]) => [id, JSON.stringify(f)])));
    if (req.ruleOffsets && Object.keys(req.ruleOffsets).length > 0) multi.hset(k.ruleOffsets, req.ruleOffsets);
    const alerts: Alert[] = [];
    for (const draft of req.alerts) {
      const alert: Alert = { ...draft, seq: ++seq };
      alerts.push(alert);
      multi.xadd(k.shared.alertHistory, 'MAXLEN', '~', String(ALERT_HISTORY_MAX), alertHistoryCodec.id(seq), ...alertHistoryCodec.fields(alert));
    }
    if (alerts.length > 0) multi.incrby(k.shared.alertSeq, alerts.length);
    let record: SnapshotRecord | null = null;
    if (req.snapshot) {
      record = { v: 1, version: Number(versionText ?? 0) + 1, snapshot: req.snapshot };
      multi.set(k.version, record.version);
      multi.set(k.shared.snapshot, snapshotCodec.encode(record));
    }
    // The chart points go in with the state that says they were recorded: once, or not at all.
    // Ids are event times, increasing because a point is due only past its track's newest one.
    for (const w of req.history ?? []) multi.xadd(this.#historyKey(w.track), 'MAXLEN', String(w.track.maxPoints), historyPointCodec.id(w.t), ...historyPointCodec.fields(w.entry));
    multi.set(k.commit, n + 1);
    let result: Array<[Error | null, unknown]> | null;
    try {
      this.#inDoubt = true;
      result = await multi.exec();
    } catch (cause) {
      throw new DetectorError(DetectorErrorCode.commitFailed, `commit failed: ${(cause as Error).message}`, { commit: n + 1 }, { cause });
    }
    this.#inDoubt = false;
    if (result === null) throw new DetectorError(DetectorErrorCode.fenced, 'commit aborted: the fence or commit counter changed during the transaction');
    const failed = result.find(([err]) => err !== null);
    if (failed) throw new DetectorError(DetectorErrorCode.stateCorrupt, `a command of the commit failed: ${failed[0]!.message}`, { commit: n + 1 });
    this.#commits = n + 1;
    return { alerts, snapshot: record };
  }
}
