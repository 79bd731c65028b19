import type { Server } from 'node:http';
import type { Consumer } from '@rotation/kafka';
import type { Logger } from '@rotation/log';
import type { Redis } from '@rotation/redis';
import { withDeadline, type StopOutcome } from '@rotation/service';
import type { Closers } from './closers.js';
import type { InstanceState } from './context.js';
import type { Outbox } from './outbox.js';

export interface StopParts {
  state: InstanceState;
  consumer: Consumer;
  outbox: Outbox;
  redis: Redis;
  commitConn: Redis;
  server: Server | null;
  closers: Closers;
  log: Logger;
}

/**
 * The handle's `stop`: graceful within the deadline, else the connections are dropped. Called
 * more than once (a signal and a fatal crash), it stops once and answers the same outcome.
 */
export function boundedStop(parts: StopParts, defaultTimeoutMs: number): (timeoutMs?: number) => Promise<StopOutcome> {
  const { state, commitConn, log } = parts;
  let stopped: Promise<StopOutcome> | null = null;
  return (timeoutMs = defaultTimeoutMs) => {
    stopped ??= (async () => {
      state.stopping = true;
      const outcome = await withDeadline(graceful(parts), timeoutMs);
      if (outcome === 'deadline') {
        log.warn({ timeoutMs, redis: commitConn.status }, 'shutdown deadline reached: connections dropped; the next start consumes again from the stored offsets and republishes the outbox');
        abandon(parts);
      }
      log.info({ outcome }, 'detector stopped');
      return outcome;
    })();
    return stopped;
  };
}

async function graceful({ consumer, outbox, state, closers, log }: StopParts): Promise<void> {
  // consumer.stop() waits for the in-flight batch, which commits before it returns.
  await consumer.stop().catch((err: unknown) => log.warn({ err }, 'consumer stop failed'));
  await state.lastOffsetCommit;
  await outbox.publish().catch((err: unknown) => log.warn({ err }, 'final publish failed; the next start republishes'));
  await closers.closeAll();
}

// Dropping both Redis connections fails every queued or retried command at once, which
// ends a commit retry loop, an outbox read and a quit() that an outage would hold forever.
function abandon({ redis, commitConn, server, consumer, outbox }: StopParts): void {
  redis.disconnect();
  commitConn.disconnect();
  server?.closeAllConnections();
  server?.close();
  void consumer.disconnect().catch(() => undefined);
  void outbox.close().catch(() => undefined);
}
