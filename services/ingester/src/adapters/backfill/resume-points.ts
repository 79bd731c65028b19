import { partitionOfKey, readPartitionTails, type Kafka } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import { partitionEnd } from '../../core/backfill/resume.js';

/** Where the ticks topic's history ends for each symbol (its partition's end), -Infinity where it has none. */
export type EndOf = (symbol: string) => number;

// Watermarks go to every partition once a second: a few thousand records reach back past them to the last ticks.
const TAIL_RECORDS = 5_000;

/**
 * Reads the last records of every ticks partition once, at start: a restart (after a crash
 * mid-backfill, or an outage) then fetches only what the topic does not have. Each symbol
 * resumes after its own partition's end: a producer keeps each partition in order, so what a
 * partition has is everything sent to it up to its last record.
 */
export async function topicEnds(kafka: Kafka, topic: string, stepMs: number, logger: Logger): Promise<{ endOf: EndOf; ends: Array<number | undefined> }> {
  const tails = await readPartitionTails(kafka, topic, TAIL_RECORDS, logger);
  const ends = tails.map((t) => partitionEnd(t.records, stepMs));
  const n = tails.length;
  return { endOf: (symbol) => (n === 0 ? -Infinity : (ends[partitionOfKey(symbol, n)] ?? -Infinity)), ends };
}
