import type { RuleRecord } from '@rotation/schemas';
import type { Viewer } from './channels.js';

/**
 * The gateway's view of `<ns>.rules`: the latest record of every rule, as read from the
 * compacted topic (and this instance's own writes, applied as soon as the broker has them).
 * An older version never replaces a newer one, so a write applied locally and then read back
 * from the topic changes nothing.
 */
export class RuleDirectory {
  readonly #byId = new Map<string, RuleRecord>();
  readonly #countByOwner = new Map<string, number>();

  apply(record: RuleRecord): void {
    const cur = this.#byId.get(record.id);
    if (cur && cur.version >= record.version) return;
    if (cur && cur.status !== 'deleted') this.#count(cur.owner, -1);
    this.#byId.set(record.id, record);
    if (record.status !== 'deleted') this.#count(record.owner, 1);
  }

  #count(owner: string, d: number): void {
    const n = (this.#countByOwner.get(owner) ?? 0) + d;
    if (n > 0) this.#countByOwner.set(owner, n);
    else this.#countByOwner.delete(owner);
  }

  /** Rules the owner holds (active and paused). */
  countOf(owner: string): number {
    return this.#countByOwner.get(owner) ?? 0;
  }

  /**
   * The rule if `viewer` may see it. Another owner's rule is reported exactly like a missing
   * one, so ids cannot be probed for existence.
   */
  get(id: string, viewer: Viewer): RuleRecord | undefined {
    const r = this.#byId.get(id);
    if (!r || r.status === 'deleted') return undefined;
    return viewer.admin || r.owner === viewer.owner ? r : undefined;
  }

  /** The viewer's rules (every owner's for an admin, or one `owner`'s when asked), oldest first. */
  list(viewer: Viewer, owner?: string): RuleRecord[] {
    const out: RuleRecord[] = [];
    for (const r of this.#byId.values()) {
      if (r.status === 'deleted') continue;
      if (viewer.admin ? owner === undefined || r.owner === owner : r.owner === viewer.owner) out.push(r);
    }
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  }

  get size(): number {
    return this.#byId.size;
  }
}
