import type { Logger } from '@rotation/log';
import { KafkaSource, type KafkaSourceOptions, type StartOffsets } from './kafka-source.js';

export interface RestartingSourceOptions {
  source: Omit<KafkaSourceOptions, 'onFatal'>;
  logger: Logger;
  /** A fresh consumer has started at the end offsets: what it skipped is read again from elsewhere. */
  restarted: () => Promise<void>;
}

/**
 * kafkajs gives up on non-retriable errors; then a fresh consumer starts from the current end
 * offsets, retried with a doubling delay. Alerts in between come from Redis (the probe), state
 * from the snapshot key (`restarted`).
 */
export class RestartingSource {
  readonly #options: RestartingSourceOptions;
  #source: KafkaSource;
  #timer: NodeJS.Timeout | undefined;
  #halted = false;

  constructor(options: RestartingSourceOptions) {
    this.#options = options;
    this.#source = this.#create();
  }

  /** Of the consumer in use now (a restarted one replaces the first). */
  get running(): boolean {
    return this.#source.running;
  }

  endOffsets(): Promise<StartOffsets> {
    return this.#source.endOffsets();
  }

  start(from: StartOffsets): Promise<void> {
    return this.#source.start(from);
  }

  /** No restart from now on, and a pending one is called off. */
  halt(): void {
    this.#halted = true;
    clearTimeout(this.#timer);
  }

  stop(): Promise<void> {
    return this.#source.stop();
  }

  #create(): KafkaSource {
    return new KafkaSource({
      ...this.#options.source,
      onFatal: (error) => {
        this.#options.logger.error({ err: error }, 'kafka consumer stopped; not ready; restarting it');
        this.#schedule(1_000);
      },
    });
  }

  #schedule(delayMs: number): void {
    if (this.#halted || this.#timer) return;
    const { logger } = this.#options;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void (async () => {
        await this.#source.stop();
        const next = this.#create();
        this.#source = next;
        await next.start(await next.endOffsets());
        await this.#options.restarted();
        logger.info('kafka consumer restarted');
      })().catch((error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'kafka consumer restart failed; retrying');
        this.#schedule(Math.min(delayMs * 2, 30_000));
      });
    }, delayMs);
  }
}
