import type { RuleValue } from './compile.js';
import type { RunState } from './machine.js';

/** What the index needs of a rule. `ord` is its position in rule id order. */
export interface IndexedRule {
  ord: number;
  key: string;
  atClose: boolean;
  /** Values at which the rule's category can change (null: the value is a category itself). */
  breakpoints: readonly number[] | null;
  run(): RunState;
}

interface Group<R> {
  key: string;
  atClose: boolean;
  /** Breakpoints of every rule of the group, ascending, with their rule. */
  points: Array<{ at: number; rule: R }>;
  /** Rules not settled: no value seen yet, or a candidate waiting out its dwell or cooldown. */
  unsettled: Set<R>;
  rules: R[];
  /** The last non-null value the group was evaluated at; undefined: evaluate every rule. */
  last: RuleValue | undefined;
}

/**
 * Which rules a step must run. A settled rule (confirmed category, no candidate) evaluated at
 * value p keeps its category at value v unless one of its breakpoints lies between p and v,
 * and every rule of a group (same measured value, same evaluation steps) was last evaluated at
 * the group's last value. So a step runs the unsettled rules and those with a breakpoint in
 * [min(p, v), max(p, v)]: exactly the rules whose state can change, which for ten thousand
 * rules over a few hundred values is a handful instead of all of them. Running more rules
 * than needed is always correct; the index only ever leaves out rules that would not change.
 */
export class RuleIndex<R extends IndexedRule> {
  readonly #groups: Array<Group<R>>;
  readonly #groupOf = new Map<R, Group<R>>();

  constructor(rules: readonly R[]) {
    const byKey = new Map<string, Group<R>>();
    for (const r of rules) {
      const gk = `${r.atClose ? 'c' : 's'}${r.key}`;
      let g = byKey.get(gk);
      if (!g) byKey.set(gk, (g = { key: r.key, atClose: r.atClose, points: [], unsettled: new Set(), rules: [], last: undefined }));
      g.rules.push(r);
      this.#groupOf.set(r, g);
      for (const at of r.breakpoints ?? []) g.points.push({ at, rule: r });
      if (!settled(r.run())) g.unsettled.add(r);
    }
    for (const g of byKey.values()) g.points.sort((a, b) => a.at - b.at);
    this.#groups = [...byKey.values()];
  }

  /**
   * The rules to run at this step with their values, in rule id order. `measure` is called
   * once per group; a null value runs nothing (no evidence changes no rule).
   */
  due(barClose: boolean, measure: (key: string) => RuleValue | null): Array<{ rule: R; value: RuleValue }> {
    const out: Array<{ rule: R; value: RuleValue }> = [];
    for (const g of this.#groups) {
      if (g.atClose && !barClose) continue;
      const v = measure(g.key);
      if (v === null) continue;
      const p = g.last;
      g.last = v;
      if (p === undefined || (typeof v === 'string' && v !== p) || (typeof v === 'number' && typeof p !== 'number')) {
        for (const r of g.rules) out.push({ rule: r, value: v });
        continue;
      }
      const pick = new Set<R>(g.unsettled);
      if (typeof v === 'number' && v !== p) for (const r of crossed(g.points, Math.min(p as number, v), Math.max(p as number, v))) pick.add(r);
      for (const r of pick) out.push({ rule: r, value: v });
    }
    return out.sort((a, b) => a.rule.ord - b.rule.ord);
  }

  /** Tells the index a rule's run state after it ran. */
  ran(rule: R): void {
    const g = this.#groupOf.get(rule);
    if (!g) return;
    if (settled(rule.run())) g.unsettled.delete(rule);
    else g.unsettled.add(rule);
  }
}

function settled(run: RunState): boolean {
  return run.confirmed !== null && run.candidate === null;
}

/** Rules with a breakpoint in [lo, hi] (binary search on the sorted points). */
function crossed<R>(points: ReadonlyArray<{ at: number; rule: R }>, lo: number, hi: number): R[] {
  let a = 0;
  let b = points.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (points[m]!.at < lo) a = m + 1;
    else b = m;
  }
  const out: R[] = [];
  for (let i = a; i < points.length && points[i]!.at <= hi; i++) out.push(points[i]!.rule);
  return out;
}
