import type { Consumer } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { TopicNames } from '@rotation/schemas';
import type { Detector } from '../core/detector.js';
import type { CompiledSettings } from '../core/settings.js';
import type { Metrics } from './http.js';
import type { Outbox } from './outbox.js';
import type { RedisStateStore } from './redis-store.js';

/**
 * What a running instance knows about itself. The consumer's handlers change it, the probes and
 * the handle read it, the stop sets `stopping`: one object, so each of them can live in its own
 * module instead of all sharing the locals of one function.
 */
export interface InstanceState {
  /** Null until loaded, and again after a new assignment or a failed batch: the next batch reloads. */
  detector: Detector | null;
  offsets: Record<string, string>;
  ruleOffsets: Record<string, string>;
  /** Owns the ticks partitions. */
  active: boolean;
  /** The last commit landed. */
  healthy: boolean;
  lastError: string | null;
  stopping: boolean;
  /** The consumer crashed for good. */
  fatal: boolean;
  groupJoined: boolean;
  /** The last ticks batch's Kafka offset commit, which a stop awaits. */
  lastOffsetCommit: Promise<void>;
}

export function initialState(): InstanceState {
  return {
    detector: null,
    offsets: {},
    ruleOffsets: {},
    active: false,
    healthy: true,
    lastError: null,
    stopping: false,
    fatal: false,
    groupJoined: false,
    lastOffsetCommit: Promise.resolve(),
  };
}

/** What the batch handlers work with. */
export interface BatchContext {
  state: InstanceState;
  settings: CompiledSettings;
  lanes: readonly number[];
  topics: TopicNames;
  store: RedisStateStore;
  outbox: Outbox;
  consumer: Consumer;
  metrics: Metrics;
  log: Logger;
}
