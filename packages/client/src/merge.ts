import type { Breadth, RrgPoint, SectorWindow, SpreadPoint, StateChannel } from '@rotation/schemas';
import type { StateValues } from './frames.js';

/**
 * Merges a state channel's new full value into the current one. Rows that did not change keep
 * their object identity (so a UI can skip re-rendering them) and the keys of the rows that did
 * change, appear or disappear are listed. Rows absent from the new value are dropped: the
 * gateway sends the channel's whole value every time, so absence means "gone", not "unchanged".
 */
export interface Merged<T> {
  value: T;
  /** Keys of added, changed and removed rows (`["IWM/SPY@7d"]`; `["breadth"]` for breadth). */
  changed: string[];
}

export const rowKey = {
  spreads: (p: SpreadPoint) => `${p.pair}@${p.window}`,
  sectors: (s: SectorWindow) => s.window,
  rrg: (r: RrgPoint) => r.symbol,
} as const;

export function mergeState<C extends StateChannel>(channel: C, previous: StateValues[C] | undefined, next: StateValues[C]): Merged<StateValues[C]> {
  switch (channel) {
    case 'spreads':
      return mergeRows(previous as SpreadPoint[] | undefined, next as SpreadPoint[], rowKey.spreads) as Merged<StateValues[C]>;
    case 'sectors':
      return mergeRows(previous as SectorWindow[] | undefined, next as SectorWindow[], rowKey.sectors) as Merged<StateValues[C]>;
    case 'rrg':
      return mergeRows(previous as RrgPoint[] | undefined, next as RrgPoint[], rowKey.rrg) as Merged<StateValues[C]>;
    default: {
      const prev = previous as Breadth | undefined;
      if (prev !== undefined && deepEqual(prev, next)) return { value: prev as StateValues[C], changed: [] };
      return { value: next, changed: ['breadth'] };
    }
  }
}

export function mergeRows<T>(previous: readonly T[] | undefined, next: readonly T[], keyOf: (row: T) => string): Merged<T[]> {
  const before = new Map<string, T>();
  for (const row of previous ?? []) before.set(keyOf(row), row);
  const changed: string[] = [];
  const value = next.map((row) => {
    const key = keyOf(row);
    const old = before.get(key);
    before.delete(key);
    if (old !== undefined && deepEqual(old, row)) return old;
    changed.push(key);
    return row;
  });
  for (const key of before.keys()) changed.push(key);
  return { value, changed };
}

/** Equality of JSON values (what zod produced from a frame: no Dates, Maps or cycles). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
