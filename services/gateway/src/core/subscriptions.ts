import type { Channel } from '@rotation/schemas';

/**
 * Channel -> subscribers, and subscriber -> channels, so fan-out is one lookup and a
 * disconnect removes a connection everywhere at once.
 */
export class SubscriptionRegistry<C> {
  readonly #byChannel = new Map<Channel, Set<C>>();
  readonly #byConn = new Map<C, Set<Channel>>();

  /** Adds what fits under `max` channels for `conn`; returns the channels refused for the cap. */
  add(conn: C, channels: readonly Channel[], max: number): { added: Channel[]; refused: Channel[] } {
    let mine = this.#byConn.get(conn);
    if (!mine) this.#byConn.set(conn, (mine = new Set()));
    const added: Channel[] = [];
    const refused: Channel[] = [];
    for (const ch of new Set(channels)) {
      if (mine.has(ch)) {
        added.push(ch);
        continue;
      }
      if (mine.size >= max) {
        refused.push(ch);
        continue;
      }
      mine.add(ch);
      let subs = this.#byChannel.get(ch);
      if (!subs) this.#byChannel.set(ch, (subs = new Set()));
      subs.add(conn);
      added.push(ch);
    }
    return { added, refused };
  }

  remove(conn: C, channels: readonly Channel[]): Channel[] {
    const mine = this.#byConn.get(conn);
    const removed: Channel[] = [];
    for (const ch of new Set(channels)) {
      if (!mine?.delete(ch)) continue;
      removed.push(ch);
      const subs = this.#byChannel.get(ch);
      subs?.delete(conn);
      if (subs?.size === 0) this.#byChannel.delete(ch);
    }
    return removed;
  }

  removeAll(conn: C): void {
    const mine = this.#byConn.get(conn);
    if (mine) this.remove(conn, [...mine]);
    this.#byConn.delete(conn);
  }

  subscribers(channel: Channel): ReadonlySet<C> {
    return this.#byChannel.get(channel) ?? EMPTY;
  }

  channelsOf(conn: C): ReadonlySet<Channel> {
    return this.#byConn.get(conn) ?? EMPTY;
  }

  has(conn: C, channel: Channel): boolean {
    return this.#byConn.get(conn)?.has(channel) ?? false;
  }

  /** The channels that have at least one subscriber. */
  activeChannels(): IterableIterator<Channel> {
    return this.#byChannel.keys();
  }

  /** Subscriber count per channel, for metrics. */
  counts(): Map<Channel, number> {
    return new Map([...this.#byChannel].map(([ch, s]) => [ch, s.size]));
  }
}

const EMPTY: ReadonlySet<never> = new Set();
