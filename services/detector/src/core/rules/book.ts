import { RuleRecord, renderTemplate, type RuleCatalog, type RuleSpec } from '@rotation/schemas';
import { alertId, type AlertDraft } from '../alerts.js';
import type { CompiledSettings } from '../settings.js';
import { round } from '../stats.js';
import { catalogOf, compileRule, type CompiledRule, type RuleInputs } from './compile.js';
import { RuleIndex, type IndexedRule } from './index-by-value.js';
import { emptyRun, runStep, type Clock, type RunState } from './machine.js';

/**
 * One rule as the detector keeps it (Redis hash `<ns>:detector:rules`, one field per rule):
 * its latest record, the event time after which that version applies, and its run state.
 */
export interface RuleEntry {
  record: RuleRecord;
  /**
   * Steps at or before this event time are not evaluated for this version: the later of the
   * record's `effectiveFrom` and the detector's last evaluated step when it took the record.
   * Null: from the first step on.
   */
  activeAfter: number | null;
  run: RunState;
}

/** A rule as stored apart from its run state (`<ns>:detector:rules`). */
export type StoredRule = Omit<RuleEntry, 'run'>;

/** The stored halves back together; a rule without a stored run starts afresh. */
export function joinStored(records: Record<string, StoredRule>, runs: Record<string, RunState>): Record<string, RuleEntry> {
  return Object.fromEntries(Object.entries(records).map(([id, r]) => [id, { ...r, run: runs[id] ?? emptyRun() }]));
}

/** What a rule record did to the book, for the operator's log. */
export type RuleChange = { kind: 'applied' | 'stale' | 'inert' | 'invalid'; id: string; message?: string };

/** The fields that change what a rule measures or when it fires: changing one starts it afresh. */
function evaluationKey(rule: RuleSpec | undefined): string {
  if (!rule) return '';
  return JSON.stringify([rule.subject, rule.window, rule.condition, rule.hysteresis, rule.dwell, rule.evaluate]);
}

/** A compiled active rule, as the index sees it. */
interface Live extends IndexedRule {
  entry: RuleEntry;
  compiled: CompiledRule;
}

/**
 * Every user rule the detector evaluates. Rule records are taken in topic order and persisted
 * with the state they lead to, so a restart continues with exactly the rules, versions and run
 * states of the last commit; alerts have ids derived from the rule, its version and the
 * step, so a replay of the same records and ticks yields the same alerts.
 */
export class RuleBook {
  readonly #s: CompiledSettings;
  readonly #entries = new Map<string, RuleEntry>();
  readonly #catalog: RuleCatalog;
  /** Compiled active rules by id; only the rule a record changes is compiled again. */
  readonly #compiled = new Map<string, Live>();
  /** The compiled rules indexed by value, in id order (a stable alert order within a step); null once a change made it stale. */
  #index: RuleIndex<Live> | null = null;
  /** One compiled rule per measure key: what measures that key. */
  #measurers = new Map<string, CompiledRule>();
  /** Rules whose record (and start) changed, and rules whose run state moved, since the last take. */
  #dirtyRecords = new Set<string>();
  #dirtyRuns = new Set<string>();
  #fired = new Map<string, { eventTime: string; alertId: string; message: string }>();

  constructor(settings: CompiledSettings, persisted: Record<string, RuleEntry> = {}) {
    this.#s = settings;
    this.#catalog = catalogOf(settings);
    for (const [id, e] of Object.entries(persisted)) {
      this.#entries.set(id, e);
      this.#compile(id);
    }
  }

  get size(): number {
    return this.#compiled.size;
  }

  /** Takes one record from `<ns>.rules`; `evaluatedAt` is the detector's last evaluated step. */
  apply(value: Buffer | string | null, evaluatedAt: number | null): RuleChange {
    let record: RuleRecord;
    try {
      const r = RuleRecord.safeParse(JSON.parse(value === null ? 'null' : value.toString()));
      if (!r.success) return { kind: 'invalid', id: '?', message: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
      record = r.data;
    } catch {
      return { kind: 'invalid', id: '?', message: 'not JSON' };
    }
    const cur = this.#entries.get(record.id);
    if (cur && cur.record.version >= record.version) return { kind: 'stale', id: record.id };
    const from = Math.max(record.effectiveFrom ?? -Infinity, evaluatedAt ?? -Infinity);
    const restart = !cur || cur.record.status !== 'active' || evaluationKey(cur.record.rule) !== evaluationKey(record.rule);
    const entry: RuleEntry = {
      record,
      activeAfter: Number.isFinite(from) ? from : null,
      // A message, severity or delivery change keeps the run: the rule goes on where it was.
      run: restart || !cur ? emptyRun() : cur.run,
    };
    // Kept going: it also keeps the step it started from.
    if (!restart && cur) entry.activeAfter = cur.activeAfter;
    this.#entries.set(record.id, entry);
    this.#dirtyRecords.add(record.id);
    this.#dirtyRuns.add(record.id);
    const problem = this.#compile(record.id);
    return problem !== null ? { kind: 'inert', id: record.id, message: problem } : { kind: 'applied', id: record.id };
  }

  /** (Re)compiles one rule; returns why an active rule cannot be evaluated, or null. */
  #compile(id: string): string | null {
    this.#compiled.delete(id);
    this.#index = null;
    const entry = this.#entries.get(id)!;
    if (entry.record.status !== 'active' || !entry.record.rule) return null;
    const compiled = compileRule(entry.record.rule, this.#s, this.#catalog);
    if (typeof compiled === 'string') return compiled;
    this.#compiled.set(id, {
      entry,
      compiled,
      ord: 0,
      key: compiled.measureKey,
      atClose: entry.record.rule.evaluate === 'close',
      breakpoints: compiled.breakpoints,
      run: () => entry.run,
    });
    return null;
  }

  /** Evaluates every active rule at the step just evaluated; alerts are appended in rule id order. */
  evaluate(x: RuleInputs, barClose: boolean, clock: Clock, alerts: AlertDraft[]): void {
    const t = x.evaluation.now.t;
    const index = (this.#index ??= this.#buildIndex());
    // Thousands of rules watch a few hundred distinct values: each is measured once per step,
    // and only the rules whose state the new value can change are run (RuleIndex).
    for (const { rule: live, value } of index.due(barClose, (key) => this.#measurers.get(key)!.measure(x))) {
      const { entry, compiled } = live;
      if (entry.activeAfter !== null && t <= entry.activeAfter) continue;
      const out = runStep(entry.run, value, clock, compiled.spec);
      if (out === null || out.state === entry.run) continue;
      entry.run = out.state;
      index.ran(live);
      this.#dirtyRuns.add(entry.record.id);
      if (out.fired) alerts.push(this.#alert(entry, compiled, x, value, out.fired.from));
    }
  }

  #buildIndex(): RuleIndex<Live> {
    const lives = [...this.#compiled.keys()].sort().map((id, ord) => Object.assign(this.#compiled.get(id)!, { ord }));
    this.#measurers = new Map(lives.map((l) => [l.key, l.compiled]));
    return new RuleIndex(lives);
  }

  #alert(entry: RuleEntry, compiled: CompiledRule, x: RuleInputs, value: number | string, from: string): AlertDraft {
    const { record } = entry;
    const rule = record.rule!;
    const eventTime = new Date(x.evaluation.now.t).toISOString();
    const vars = compiled.vars(x, value, from);
    const message = renderTemplate(rule.message ?? compiled.defaultMessage, vars).slice(0, 512);
    const id = alertId('rule', record.id, rule.window, eventTime, String(record.version));
    this.#fired.set(record.id, { eventTime, alertId: id, message });
    return {
      id,
      kind: 'rule',
      severity: rule.severity,
      subject: compiled.subject,
      ...(rule.window !== undefined ? { window: rule.window } : {}),
      eventTime,
      message,
      metrics: { value: typeof value === 'number' ? round(value, 4) : value, condition: rule.condition.type, rule: rule.name.slice(0, 80) },
      owner: record.owner,
      rule: record.id,
      deliver: { websocket: rule.deliver.websocket, ...(rule.deliver.webhook !== undefined ? { webhook: rule.deliver.webhook } : {}) },
    };
  }

  /**
   * What changed since the last call, for the commit: records taken (with their start) and run
   * states moved, apart, since a run state (~100 bytes) moves far more often than its record.
   */
  takeDirty(): { records: Record<string, StoredRule>; runs: Record<string, RunState> } {
    const records: Record<string, StoredRule> = {};
    const runs: Record<string, RunState> = {};
    for (const id of this.#dirtyRecords) {
      const { record, activeAfter } = this.#entries.get(id)!;
      records[id] = { record, activeAfter };
    }
    for (const id of this.#dirtyRuns) runs[id] = this.#entries.get(id)!.run;
    this.#dirtyRecords = new Set();
    this.#dirtyRuns = new Set();
    return { records, runs };
  }

  /** The latest firing per rule since the last call (`<ns>:rules:last-fired`). */
  takeFired(): Record<string, { eventTime: string; alertId: string; message: string }> {
    const out = Object.fromEntries(this.#fired);
    this.#fired = new Map();
    return out;
  }

  /** Every entry, for the in-memory store and tests. */
  entries(): Record<string, RuleEntry> {
    return Object.fromEntries(this.#entries);
  }
}
