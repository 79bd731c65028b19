import { describe, expect, it } from 'vitest';
import { DEFAULT_UNIVERSE_FILE, loadUniverseFile } from '@rotation/config';
import { RuleRecord, ruleCatalog, ruleProblems } from '@rotation/schemas';
import { benchRules } from './rule-mix.js';

describe('benchRules', () => {
  const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
  it('makes valid rules the default universe can evaluate, the same every time, with unique ids', () => {
    const rules = benchRules(600, universe);
    expect(rules).toEqual(benchRules(600, universe));
    expect(new Set(rules.map((r) => r.id)).size).toBe(600);
    for (const r of rules) {
      expect(RuleRecord.parse(r)).toEqual(r);
      expect(ruleProblems(r.rule!, ruleCatalog(universe))).toEqual([]);
    }
    expect(new Set(rules.map((r) => `${r.rule!.subject.type} ${r.rule!.condition.type}`)).size).toBe(6);
  });
});
