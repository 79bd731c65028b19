import { RuleSpec, type RuleRecord, type RuleSpecInput } from '@rotation/schemas';

/** What the bench's rules may refer to: the default universe's names. */
export interface RuleMixUniverse {
  pairs: ReadonlyArray<{ small: string; large: string }>;
  sectors: ReadonlyArray<{ symbol: string }>;
  windows: readonly string[];
}

/**
 * `count` rules a crowd of users might hold, cycling through every subject and condition kind
 * over the universe's pairs, sectors and windows with spread-out thresholds, so some cross
 * and most do not (as with real users). Deterministic: rule i is the same in every run.
 */
export function benchRules(count: number, u: RuleMixUniverse, owners = 100): RuleRecord[] {
  const at = '2024-01-01T00:00:00.000Z';
  const out: RuleRecord[] = [];
  for (let i = 0; i < count; i++) {
    const w = u.windows[i % u.windows.length]!;
    const pair = u.pairs[i % u.pairs.length]!;
    const sector = u.sectors[i % u.sectors.length]!.symbol;
    const level = ((i % 41) - 20) / 10; // -2.0 .. +2.0
    const kinds: RuleSpecInput[] = [
      { name: `spread ${i}`, subject: { type: 'pair', pair: `${pair.small}/${pair.large}` }, window: w, condition: { type: 'crosses_above', value: level }, hysteresis: 0.2, cooldown: '30m' },
      { name: `sector ${i}`, subject: { type: 'sector', symbol: sector }, window: w, condition: { type: 'crosses_below', value: level }, dwell: '5m' },
      { name: `band ${i}`, subject: { type: 'symbol', symbol: sector }, window: w, condition: { type: 'leaves_band', low: -Math.abs(level) - 0.5, high: Math.abs(level) + 0.5 }, hysteresis: 0.1 },
      { name: `leader ${i}`, subject: { type: 'sector', symbol: sector }, window: w, condition: { type: 'becomes_leader' }, hysteresis: 0.1, dwell: '15m' },
      { name: `quadrant ${i}`, subject: { type: 'sector', symbol: sector }, condition: { type: 'changes_quadrant' } },
      { name: `breadth ${i}`, subject: { type: 'breadth' }, condition: { type: 'crosses_below', value: 20 + (i % 60) }, cooldown: '1bar' },
    ];
    const rule = RuleSpec.parse(kinds[i % kinds.length]);
    out.push({ v: 1, id: `r_${i.toString(16).padStart(24, '0')}`, owner: `user${i % owners}`, version: 1, status: 'active', effectiveFrom: null, createdAt: at, updatedAt: at, rule });
  }
  return out;
}
