import { describe, expect, it } from 'vitest';
import type { RuleRecord, RuleSpecInput } from '@rotation/schemas';
import { RuleSpec } from '@rotation/schemas';
import { Detector } from '../detector.js';
import { processBatch, processRuleBatch } from '../process-batch.js';
import { compileSettings } from '../settings.js';
import { testUniverse } from '../test-universe.js';
import type { InputRecord } from '../tick-input.js';

/** New York wall-clock time in January 2024 (EST) as epoch ms. */
const et = (day: number, h: number, m: number) => Date.UTC(2024, 0, day, h + 5, m);
const settings = compileSettings(testUniverse({}, ['5m', '1d']));

function record(id: string, version: number, rule: RuleSpecInput | undefined, over: Partial<RuleRecord> = {}): string {
  const at = '2024-01-01T00:00:00.000Z';
  return JSON.stringify({ v: 1, id, owner: 'alice', version, status: 'active', effectiveFrom: null, createdAt: at, updatedAt: at, ...(rule ? { rule: RuleSpec.parse(rule) } : {}), ...over });
}

const spreadAbove: RuleSpecInput = {
  name: 'IWM beats SPY',
  subject: { type: 'pair', pair: 'IWM/SPY' },
  window: '1d',
  condition: { type: 'crosses_above', value: 1 },
  message: '{{pair}} {{spreadPp}} over {{window}}',
};

/**
 * Friday's close at 100 each, then Monday minutes 09:31, 09:32, … with IWM at `iwm[i]` and
 * SPY flat; each minute is three records (two ticks and the watermark that evaluates it), so
 * `slice(0, 3 + 3 * n)` is everything through Monday's n-th minute.
 */
function ticks(iwm: number[]): InputRecord[] {
  let offset = 0;
  const out: InputRecord[] = [];
  const push = (value: object) => out.push({ lane: 0, offset: String(offset++), value: JSON.stringify(value) });
  const minute = (step: number, iwmPrice: number) => {
    push({ v: 1, symbol: 'IWM', price: iwmPrice, ts: step - 30_000, source: 'replay' });
    push({ v: 1, symbol: 'SPY', price: 100, ts: step - 30_000, source: 'replay' });
    push({ v: 1, watermark: step + 60_001, source: 'replay' });
  };
  minute(et(5, 16, 0), 100);
  iwm.forEach((p, i) => minute(et(8, 9, 31 + i), p));
  return out;
}

const rules = (values: string[], from = 0): InputRecord[] => values.map((value, i) => ({ lane: 0, offset: String(from + i), value }));

function run(d: Detector, recs: InputRecord[], offsets: Record<string, string> = {}) {
  return processBatch(d, recs, offsets).request.alerts;
}

describe('rules in the detector', () => {
  it('fires on the crossing with the template applied, owner and delivery attached', () => {
    const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
    processRuleBatch(d, rules([record('r_000000000000000000000001', 1, spreadAbove)]), {});
    const alerts = run(d, ticks([100, 100.5, 101.5, 101.8, 100.2, 101.6]));
    expect(alerts.map((a) => [a.eventTime, a.message])).toEqual([
      ['2024-01-08T14:33:00.000Z', 'IWM/SPY +1.50 pp over 1d'],
      ['2024-01-08T14:36:00.000Z', 'IWM/SPY +1.60 pp over 1d'],
    ]);
    expect(alerts[0]).toMatchObject({ kind: 'rule', owner: 'alice', rule: 'r_000000000000000000000001', subject: 'IWM/SPY', window: '1d', deliver: { websocket: true }, metrics: { value: 1.5 } });
  });

  it('applies a rule from the step the detector had reached, not to history', () => {
    const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
    const all = ticks([100, 101.5, 100, 101.5, 100, 101.5]);
    run(d, all.slice(0, 9)); // through Monday 09:32 (IWM 101.5 there: a crossing the rule must not see)
    expect(d.asOf).toBe(et(8, 9, 32));
    processRuleBatch(d, rules([record('r_000000000000000000000001', 1, spreadAbove)]), {});
    const alerts = run(d, all.slice(9));
    expect(alerts.map((a) => a.eventTime)).toEqual(['2024-01-08T14:34:00.000Z', '2024-01-08T14:36:00.000Z']);
  });

  it('a deleted rule never fires again, a paused one stays quiet and resumes from then on', () => {
    const id = 'r_000000000000000000000002';
    const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
    const all = ticks([100, 101.5, 100, 101.5, 100, 101.5, 100, 101.5]);
    processRuleBatch(d, rules([record(id, 1, spreadAbove)]), {});
    expect(run(d, all.slice(0, 9)).map((a) => a.eventTime)).toEqual(['2024-01-08T14:32:00.000Z']);
    processRuleBatch(d, rules([record(id, 2, spreadAbove, { status: 'paused' })], 1), {});
    expect(run(d, all.slice(9, 15))).toEqual([]); // 09:33, 09:34: a crossing at 09:34 while paused
    processRuleBatch(d, rules([record(id, 3, spreadAbove)], 2), {});
    // Resumed at 09:34 with the spread above: it starts from there, and the next crossing fires.
    expect(run(d, all.slice(15, 21)).map((a) => a.eventTime)).toEqual(['2024-01-08T14:36:00.000Z']);
    processRuleBatch(d, rules([record(id, 4, undefined, { status: 'deleted' })], 3), {});
    // A stale record of an older version cannot bring it back.
    processRuleBatch(d, rules([record(id, 3, spreadAbove)], 4), {});
    expect(run(d, all.slice(21))).toEqual([]);
    expect(d.activeRules).toBe(0);
  });

  it('a restart from the persisted form gives the same alerts as an uninterrupted run', () => {
    const all = ticks([100, 101.5, 101.5, 100, 101.5, 100.9, 102, 100, 101.2, 103]);
    const spec = { ...spreadAbove, dwell: '2m', cooldown: '3m', hysteresis: 0.5 };
    const one = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
    processRuleBatch(one, rules([record('r_000000000000000000000003', 1, spec)]), {});
    const reference = run(one, all);
    expect(reference.length).toBeGreaterThan(0);
    for (const cut of [3, 9, 14, 22]) {
      const a = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
      processRuleBatch(a, rules([record('r_000000000000000000000003', 1, spec)]), {});
      const first = run(a, all.slice(0, cut));
      const b = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 }, structuredClone(a.persisted()));
      expect([...first, ...run(b, all.slice(cut))]).toEqual(reference);
    }
  });

  it('keeps a rule the universe cannot evaluate inert and says why', () => {
    const d = new Detector({ settings, lanes: [0], topic: 't', now: () => 0 });
    const out = processRuleBatch(d, rules([record('r_000000000000000000000004', 1, { ...spreadAbove, subject: { type: 'pair', pair: 'IWM/QQQ' } })]), {});
    expect(out.changes[0]).toMatchObject({ kind: 'inert', message: expect.stringMatching(/QQQ is not a symbol/) });
    expect(processRuleBatch(d, rules(['{"v":1}'], 1), {}).changes[0]).toMatchObject({ kind: 'invalid' });
    expect(d.activeRules).toBe(0);
  });
});
