import type { Kafka } from '@rotation/kafka';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CommitProgress {
  /** Wall time (performance.now) of the first poll that saw committed offsets. */
  tFirst: number;
  /** Records committed at that poll. */
  committedFirst: number;
  tEnd: number;
  total: number;
  /** (total - committedFirst) / (tEnd - tFirst): the steady rate, start-up and group join excluded. */
  perSec: number;
}

/**
 * Watches a consumer group's committed offsets on one topic until they reach `total`. The same
 * external observer measures the bare consumer and the detector, so neither reports its own speed
 * and both exclude process start and group join in the same way.
 */
/** `onFirst` runs at the first poll that sees commits (a per-process CPU reading starts there, as the rate does). */
export async function watchCommits(kafka: Kafka, o: { groupId: string; topic: string; total: number; timeoutMs: number; pollMs?: number; isAlive?: () => boolean; onFirst?: () => void }): Promise<CommitProgress> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = performance.now() + o.timeoutMs;
    let tFirst = 0;
    let committedFirst = 0;
    let last = 0;
    while (performance.now() < deadline) {
      if (o.isAlive && !o.isAlive()) throw new Error(`consumer process of group ${o.groupId} exited with ${last}/${o.total} committed`);
      let res;
      try {
        res = await admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] });
      } catch {
        // A fresh broker creates __consumer_offsets on first use ("not the correct coordinator"):
        // transient, so poll again.
        await sleep(o.pollMs ?? 100);
        continue;
      }
      const now = performance.now();
      let committed = 0;
      for (const t of res) for (const p of t.partitions) committed += Math.max(0, Number(p.offset));
      last = committed;
      if (committed > 0 && tFirst === 0) {
        tFirst = now;
        committedFirst = committed;
        o.onFirst?.();
      }
      if (committed >= o.total) {
        const secs = (now - tFirst) / 1000;
        return { tFirst, committedFirst, tEnd: now, total: o.total, perSec: secs > 0 ? Math.round((o.total - committedFirst) / secs) : Number.NaN };
      }
      await sleep(o.pollMs ?? 100);
    }
    throw new Error(`group ${o.groupId} committed ${last}/${o.total} within ${Math.round(o.timeoutMs / 1000)} s`);
  } finally {
    await admin.disconnect();
  }
}

export async function topicEnd(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
