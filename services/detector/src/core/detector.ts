import type { DeadLetter, Quadrant, Snapshot, SpreadPoint } from '@rotation/schemas';
import { makeAlert, pct, pp, type AlertDraft } from './alerts.js';
import { adStep, beatingPct, emptyAd, emptyThrust, mcclellan, thrustStep } from './breadth.js';
import { CloseRing } from './close-ring.js';
import { DetectorError, DetectorErrorCode } from './errors.js';
import { rankSectors, rotationIntensity, stepRole, type RankedSector } from './leadership.js';
import { nextRegime, type SizeRegime } from './regime.js';
import { basketReturnPct, returnPct } from './returns.js';
import { emptyRrg, rrgStep } from './rrg.js';
import type { CompiledSettings } from './settings.js';
import type { BucketTick, CoreState } from './state.js';
import { round, zScore } from './stats.js';
import { decodeTick, deadLetter, type InputRecord } from './tick-input.js';

export interface DetectorOptions {
  settings: CompiledSettings;
  /** Lanes (ticks partitions) that carry universe symbols: the watermark waits for each. */
  lanes: readonly number[];
  /** Name of the input topic, for dead-letter origins. */
  topic: string;
  /** Wall clock, only for the `at` of dead letters. */
  now: () => number;
}

export interface Persisted {
  state: CoreState;
  /** Finalized closes per symbol, oldest first, ending at state.step. */
  closes: Record<string, number[]>;
}

/** What one step's evaluation found; the last one of a batch becomes the snapshot. */
interface Evaluation {
  t: number;
  returns: Map<string, Array<number | null>>;
  spreads: SpreadPoint[];
  sectors: Array<{ window: string; ranking: RankedSector[]; rotationIntensity: number | null }>;
  beatingPct: number | null;
}

const QUADRANT_NAME: Record<Quadrant, string> = { leading: 'Leading', weakening: 'Weakening', lagging: 'Lagging', improving: 'Improving' };

const DAY_MS = 86_400_000;


/**
 * The leadership margin grows with the square root of the window (marginPp applies at 1d):
 * return differences between sectors are noise-dominated and noise grows like sqrt(time), so
 * one fixed margin would flap on long windows and never trigger on short ones.
 */
export function leadershipMargin(s: CompiledSettings, windowMs: number): number {
  return s.leadership.marginPp * Math.sqrt(windowMs / DAY_MS);
}

/** Dwell: at least the configured one, and at least a quarter of the window (a lead must outlast noise). */
export function leadershipDwell(s: CompiledSettings, windowMs: number): number {
  return Math.max(s.leadership.dwellMs, windowMs / 4);
}

export function emptyState(): CoreState {
  return {
    v: 1,
    step: null,
    lanes: {},
    pending: {},
    barActive: false,
    pairs: {},
    sectors: {},
    rrg: {},
    thrust: emptyThrust(),
    ad: emptyAd(),
    counters: { accepted: 0, late: 0, rejected: 0, steps: 0 },
  };
}

/**
 * The detector's processing step, pure and synchronous: `offer` applies one input record,
 * `advance` evaluates every event-time step that all lanes' watermarks have passed.
 *
 * Why steps and watermarks: cross-symbol results (spreads, rankings, RRG) must not depend on
 * how records of different partitions interleave on arrival, or a restart, a rebalance or a
 * second instance would compute something else. A lane's watermark is its newest event time
 * minus the allowed lateness; a tick older than its lane's watermark is late. A step boundary
 * T is evaluated once T is below every lane's watermark, i.e. when no tick at or before T can
 * still be accepted, so its inputs are final and the same in every run.
 */
export class Detector {
  readonly #s: CompiledSettings;
  readonly #opts: DetectorOptions;
  #state: CoreState;
  /**
   * Buckets in `state.pending[symbol]`, kept beside the state (not persisted; counted once per
   * symbol after a load). Asking the object itself is not O(1): bucket keys are integer-like,
   * so V8 keeps them as dictionary elements and even a `for…in` that stops at the first key
   * collects and sorts all of them. With a backlog that was a third of the detector's CPU.
   */
  readonly #pendingSize = new Map<string, number>();
  readonly #rings = new Map<string, CloseRing>();
  readonly #known: Set<string>;
  #appended = new Map<string, number[]>();
  #alerts: AlertDraft[] = [];
  #last: Evaluation | null = null;

  constructor(options: DetectorOptions, persisted?: Persisted) {
    this.#opts = options;
    this.#s = options.settings;
    this.#known = new Set(this.#s.symbols);
    this.#state = persisted ? structuredClone(persisted.state) : emptyState();
    if (this.#state.v !== 1) throw new DetectorError(DetectorErrorCode.stateCorrupt, `unknown state version ${String(this.#state.v)}`);
    for (const sym of this.#s.symbols) {
      this.#rings.set(sym, CloseRing.restore(this.#s.ringLength, this.#state.step, persisted?.closes[sym] ?? []));
    }
  }

  get state(): CoreState {
    return this.#state;
  }

  /** Event time of the last finalized step boundary, or null. */
  get asOf(): number | null {
    return this.#state.step === null ? null : this.#state.step * this.#s.stepMs;
  }

  #reject(rec: InputRecord, reason: DeadLetter['reason'], message: string): DeadLetter {
    if (reason === 'late') this.#state.counters.late += 1;
    else this.#state.counters.rejected += 1;
    return deadLetter(rec, this.#opts.topic, reason, message, this.#opts.now());
  }

  /** Applies one record. Returns the dead letter it produced, if any. Never throws on bad input. */
  offer(rec: InputRecord): DeadLetter | null {
    const decoded = decodeTick(rec.value);
    if (!decoded.ok) return this.#reject(rec, decoded.reason, decoded.message);
    if (decoded.watermark !== undefined) {
      // The partition's source promises nothing older is coming: its lane moves on as if a tick
      // at that time had arrived, so a quiet partition stops holding evaluation back.
      // Only on partitions that carry universe symbols: a lane added here for any other one
      // would have to keep advancing from then on, and a later replay (no watermarks) would stall.
      if (!this.#opts.lanes.includes(rec.lane)) return null;
      const lane = String(rec.lane);
      const laneMax = this.#state.lanes[lane];
      if (laneMax === undefined || decoded.watermark > laneMax) this.#state.lanes[lane] = decoded.watermark;
      return null;
    }
    const tick = decoded.tick;
    if (!this.#known.has(tick.symbol)) return this.#reject(rec, 'unknown_symbol', `${tick.symbol} is not in the universe`);
    const lane = String(rec.lane);
    const laneMax = this.#state.lanes[lane];
    const lateness = this.#s.latenessMs;
    if (laneMax !== undefined && tick.ts < laneMax - lateness) {
      return this.#reject(rec, 'late', `event time ${new Date(tick.ts).toISOString()} is more than ${lateness} ms behind ${new Date(laneMax).toISOString()}, the newest of partition ${lane}`);
    }
    const finalizedUntil = this.asOf;
    if (finalizedUntil !== null && tick.ts <= finalizedUntil) {
      return this.#reject(rec, 'late', `event time ${new Date(tick.ts).toISOString()} is at or before ${new Date(finalizedUntil).toISOString()}, already evaluated`);
    }
    if (laneMax === undefined || tick.ts > laneMax) this.#state.lanes[lane] = tick.ts;
    const bucket = String(Math.ceil(tick.ts / this.#s.stepMs));
    const perSymbol = (this.#state.pending[tick.symbol] ??= {});
    const cur = perSymbol[bucket];
    const cand: BucketTick = [tick.ts, tick.tsNanos ?? 0, tick.price];
    // The newest (ts, tsNanos) wins; on a full tie the higher price. A maximum is idempotent
    // and order-free, so a duplicate tick, or a redelivered one, can never change the result.
    if (cur === undefined) {
      const size = this.#pendingSize.get(tick.symbol) ?? Object.keys(perSymbol).length;
      perSymbol[bucket] = cand;
      this.#pendingSize.set(tick.symbol, size + 1);
    } else if (cand[0] > cur[0] || (cand[0] === cur[0] && (cand[1] > cur[1] || (cand[1] === cur[1] && cand[2] > cur[2])))) {
      perSymbol[bucket] = cand;
    }
    this.#state.counters.accepted += 1;
    return null;
  }

  /** Min over lanes of (newest event time - lateness); null until every expected lane has data. */
  watermark(): number | null {
    const lanes = new Set([...this.#opts.lanes.map(String), ...Object.keys(this.#state.lanes)]);
    let w = Infinity;
    for (const l of lanes) {
      const max = this.#state.lanes[l];
      if (max === undefined) return null;
      w = Math.min(w, max - this.#s.latenessMs);
    }
    return Number.isFinite(w) ? w : null;
  }

  /** Finalizes and evaluates every step below the watermark. Returns how many. */
  advance(): number {
    const w = this.watermark();
    if (w === null) return 0;
    const B = this.#s.stepMs;
    if (this.#state.step === null) {
      // The first step is the bucket of the earliest accepted tick. Every tick accepted later
      // is at or after some lane's watermark, hence after w, so this is the same in every run.
      let first = Infinity;
      for (const buckets of Object.values(this.#state.pending)) for (const b of Object.keys(buckets)) first = Math.min(first, Number(b));
      if (!Number.isFinite(first) || first * B >= w) return 0;
      this.#state.step = first - 1;
    }
    let n = 0;
    while ((this.#state.step + 1) * B < w) {
      this.#finalize(this.#state.step + 1);
      n += 1;
    }
    return n;
  }

  /** Alerts decided since the last call, in decision order. */
  takeAlerts(): AlertDraft[] {
    const out = this.#alerts;
    this.#alerts = [];
    return out;
  }

  /** Closes appended since the last call, per symbol, oldest first. */
  takeAppended(): Record<string, number[]> {
    const out = Object.fromEntries(this.#appended);
    this.#appended = new Map();
    return out;
  }

  /** r_w at a finalized step boundary t (percent), for inspection and tests. */
  returnAt(symbol: string, window: string, t: number): number | null {
    const w = this.#s.windows.find((x) => x.label === window);
    if (!w || t % this.#s.stepMs !== 0) return null;
    return this.#ret(symbol, t / this.#s.stepMs, w.steps);
  }

  /** Full persisted form (used by the in-memory store and by tests). */
  persisted(): Persisted {
    const closes: Record<string, number[]> = {};
    for (const [sym, ring] of this.#rings) closes[sym] = ring.values();
    return { state: structuredClone(this.#state), closes };
  }

  #finalize(k: number): void {
    const st = this.#state;
    const t = k * this.#s.stepMs;
    const key = String(k);
    for (const [sym, ring] of this.#rings) {
      const pend = st.pending[sym];
      const hit = pend?.[key];
      let close = ring.latest();
      if (hit) {
        close = hit[2];
        const left = (this.#pendingSize.get(sym) ?? Object.keys(pend!).length) - 1;
        delete pend![key];
        if (left === 0) {
          delete st.pending[sym];
          this.#pendingSize.delete(sym);
        } else this.#pendingSize.set(sym, left);
        st.barActive = true;
      }
      if (ring.lastStep === null) {
        // A ring that never had a step starts here.
        const fresh = CloseRing.restore(ring.length, k - 1, []);
        this.#rings.set(sym, fresh);
        fresh.push(k, close);
      } else ring.push(k, close);
      let list = this.#appended.get(sym);
      if (!list) this.#appended.set(sym, (list = []));
      list.push(close);
    }
    st.step = k;
    st.counters.steps += 1;
    const barClose = t % this.#s.barMs === 0 && st.barActive;
    if (barClose) st.barActive = false;
    this.#last = this.#evaluate(k, t, barClose);
  }

  #ret(sym: string, k: number, steps: number): number | null {
    const members = this.#s.baskets.get(sym);
    if (members) return basketReturnPct(members.map((m) => this.#ret(m, k, steps)));
    const ring = this.#rings.get(sym);
    if (!ring) return null;
    return returnPct(ring.at(k), ring.at(k - steps));
  }

  #close(sym: string): number {
    return this.#rings.get(sym)?.latest() ?? NaN;
  }

  #evaluate(k: number, t: number, barClose: boolean): Evaluation {
    const s = this.#s;
    const st = this.#state;
    const returns = new Map<string, Array<number | null>>();
    const names = [...s.symbols, ...s.baskets.keys()];
    for (const sym of names) returns.set(sym, s.windows.map((w) => this.#ret(sym, k, w.steps)));
    const r = (sym: string, wi: number) => returns.get(sym)?.[wi] ?? null;

    // Spreads, ratio lines, z-scores and size regimes.
    const spreads: SpreadPoint[] = [];
    for (const pair of s.pairs) {
      const ps = (st.pairs[pair.label] ??= { base: null, z: {}, zArmed: {}, regime: 'neutral' });
      const members = [...this.#members(pair.small), ...this.#members(pair.large)];
      if (ps.base === null && members.every((m) => Number.isFinite(this.#close(m)))) {
        ps.base = Object.fromEntries(members.map((m) => [m, this.#close(m)]));
      }
      const ratio = ps.base === null ? null : (100 * this.#growth(pair.small, ps.base)) / this.#growth(pair.large, ps.base);
      s.windows.forEach((w, wi) => {
        const small = r(pair.small, wi);
        const large = r(pair.large, wi);
        const spread = small === null || large === null ? null : small - large;
        const hist = (ps.z[w.label] ??= []);
        if (barClose && spread !== null) {
          hist.push(spread);
          if (hist.length > s.zscore.lookbackBars) hist.splice(0, hist.length - s.zscore.lookbackBars);
        }
        const z = spread !== null && hist.length === s.zscore.lookbackBars ? zScore(spread, hist) : null;
        if (barClose && w.ms >= s.barMs && z !== null) this.#zAlert(pair.label, ps.zArmed, w.label, t, z, small!, large!, spread!, pair);
        spreads.push({
          pair: pair.label,
          small: pair.small,
          large: pair.large,
          window: w.label,
          smallReturnPct: small === null ? null : round(small, 6),
          largeReturnPct: large === null ? null : round(large, 6),
          spreadPp: spread === null ? null : round(spread, 6),
          ratio: ratio === null ? null : round(ratio, 6),
          zScore: z === null ? null : round(z, 6),
        });
      });
      if (pair.sizePair) {
        const wi = s.windows.indexOf(s.regime.window);
        const small = r(pair.small, wi);
        const large = r(pair.large, wi);
        const spread = small === null || large === null ? null : small - large;
        const next = nextRegime(ps.regime, spread, s.regime.enterPp, s.regime.exitPp);
        if (next !== ps.regime && spread !== null) this.#regimeAlert(pair.label, pair.small, pair.large, ps.regime, next, t, small!, large!, spread);
        ps.regime = next;
      }
    }

    // Sector leadership per window.
    const sectors: Evaluation['sectors'] = [];
    s.windows.forEach((w, wi) => {
      const bench = r(s.benchmark, wi);
      const ranking = rankSectors(s.sectors, (sym) => r(sym, wi), bench);
      const ws = (st.sectors[w.label] ??= {
        leader: { holder: null, challenger: null, since: null },
        laggard: { holder: null, challenger: null, since: null },
        barRanking: null,
      });
      for (const role of ['leader', 'laggard'] as const) {
        const out = stepRole(ws[role], role, ranking, t, leadershipMargin(s, w.ms), leadershipDwell(s, w.ms));
        ws[role] = out.state;
        if (out.change) this.#leadershipAlert(role, w.label, w.ms, t, out.change, ranking, bench);
      }
      const order = ranking.map((x) => x.symbol);
      const intensity = ranking.length === s.sectors.length ? rotationIntensity(ws.barRanking, order) : null;
      if (barClose && ranking.length === s.sectors.length) ws.barRanking = order;
      sectors.push({ window: w.label, ranking, rotationIntensity: intensity });
    });

    // Breadth across sectors on the breadth window.
    const bwi = s.windows.indexOf(s.breadth.window);
    const beat = beatingPct(s.sectors.map((x) => r(x.symbol, bwi)), r(s.benchmark, bwi));

    if (barClose) {
      this.#barClose(t, beat);
    }
    return { t, returns, spreads, sectors, beatingPct: beat };
  }

  #barClose(t: number, beat: number | null): void {
    const s = this.#s;
    const st = this.#state;
    const bench = this.#close(s.benchmark);
    for (const sec of s.sectors) {
      const price = this.#close(sec.symbol);
      if (!Number.isFinite(price) || !Number.isFinite(bench)) continue;
      const prev = st.rrg[sec.symbol] ?? emptyRrg();
      const next = rrgStep(prev, t, price, bench, s.rrg);
      st.rrg[sec.symbol] = next;
      if (prev.quadrant !== null && next.quadrant !== null && next.quadrant !== prev.quadrant) {
        const sev = next.quadrant === 'leading' || next.quadrant === 'lagging' ? 'warning' : 'info';
        this.#alerts.push(
          makeAlert(
            'rrg_quadrant_change',
            sev,
            sec.symbol,
            undefined,
            t,
            `${sec.symbol} (${sec.name}) moves from ${QUADRANT_NAME[prev.quadrant]} to ${QUADRANT_NAME[next.quadrant]} vs ${s.benchmark} (RS-Ratio ${next.rsRatio!.toFixed(2)}, RS-Momentum ${next.rsMomentum!.toFixed(2)})`,
            { from: prev.quadrant, to: next.quadrant, rsRatio: next.rsRatio, rsMomentum: next.rsMomentum },
          ),
        );
      }
    }
    if (beat !== null) {
      const out = thrustStep(st.thrust, beat, s.breadth);
      st.thrust = out.state;
      if (out.fired) {
        this.#alerts.push(
          makeAlert(
            'breadth_thrust',
            'warning',
            'sectors',
            s.breadth.window.label,
            t,
            `Breadth thrust: share of sectors beating ${s.benchmark} over ${s.breadth.window.label} (EMA) rose from ${out.fired.from.toFixed(1)}% to ${out.fired.to.toFixed(1)}% within ${s.breadth.withinBars} bars`,
            { fromPct: out.fired.from, toPct: out.fired.to, beatingPct: beat, withinBars: s.breadth.withinBars },
          ),
        );
      }
    }
    if (s.constituents.length > 0) {
      st.ad = adStep(st.ad, new Map(s.constituents.map((c) => [c, this.#close(c)])));
    }
  }

  #members(id: string): string[] {
    return this.#s.baskets.get(id) ?? [id];
  }

  /** Growth since the pair's base: P/P0 for a symbol, the mean of P_i/P0_i for a basket. */
  #growth(id: string, base: Record<string, number>): number {
    const members = this.#members(id);
    let sum = 0;
    for (const m of members) sum += this.#close(m) / base[m]!;
    return sum / members.length;
  }

  #zAlert(label: string, armed: Record<string, boolean>, window: string, t: number, z: number, small: number, large: number, spread: number, pair: { small: string; large: string }): void {
    const threshold = this.#s.zscore.threshold;
    if (Math.abs(z) < threshold) {
      armed[window] = true;
      return;
    }
    if (armed[window] === false) return;
    armed[window] = false;
    const severity = Math.abs(z) >= 1.5 * threshold ? 'critical' : 'warning';
    this.#alerts.push(
      makeAlert(
        'spread_zscore',
        severity,
        label,
        window,
        t,
        `${label} spread stretched: ${pp(spread)} over ${window} (z ${z >= 0 ? '+' : ''}${z.toFixed(2)}; ${pair.small} ${pct(small)} vs ${pair.large} ${pct(large)})`,
        { zScore: z, spreadPp: spread, smallReturnPct: small, largeReturnPct: large, threshold },
      ),
    );
  }

  #regimeAlert(label: string, small: string, large: string, from: SizeRegime, to: SizeRegime, t: number, rs: number, rl: number, spread: number): void {
    const w = this.#s.regime.window.label;
    const text =
      to === 'small'
        ? `Small caps lead: ${small} ${pct(rs)} vs ${large} ${pct(rl)} over ${w} (spread ${pp(spread)})`
        : to === 'large'
          ? `Large caps lead: ${large} ${pct(rl)} vs ${small} ${pct(rs)} over ${w} (spread ${pp(spread)})`
          : `Size leadership fades: ${small} ${pct(rs)} vs ${large} ${pct(rl)} over ${w} (spread ${pp(spread)})`;
    this.#alerts.push(
      makeAlert('size_regime_change', to === 'neutral' ? 'info' : 'warning', label, w, t, text, {
        from,
        to,
        smallReturnPct: rs,
        largeReturnPct: rl,
        spreadPp: spread,
      }),
    );
  }

  #leadershipAlert(role: 'leader' | 'laggard', window: string, windowMs: number, t: number, change: { from: string | null; to: string }, ranking: readonly RankedSector[], bench: number | null): void {
    const to = ranking.find((x) => x.symbol === change.to)!;
    const from = ranking.find((x) => x.symbol === change.from);
    const benchText = bench === null ? '' : ` (${this.#s.benchmark} ${pct(bench)})`;
    const fromText = from ? ` vs ${from.symbol} ${pct(from.returnPct)}` : '';
    const message =
      role === 'leader'
        ? `${to.symbol} (${to.name}) takes the sector lead over ${window}: ${to.symbol} ${pct(to.returnPct)}${fromText}${benchText}`
        : `${to.symbol} (${to.name}) becomes the weakest sector over ${window}: ${to.symbol} ${pct(to.returnPct)}${fromText}${benchText}`;
    this.#alerts.push(
      makeAlert(
        'leadership_change',
        windowMs >= 86_400_000 ? 'warning' : 'info',
        to.symbol,
        window,
        t,
        message,
        { role, from: change.from, to: change.to, returnPct: to.returnPct, previousReturnPct: from?.returnPct ?? null, benchmarkReturnPct: bench },
        role,
      ),
    );
  }

  /** The snapshot at the last evaluated step, or null before the first. */
  snapshot(): Snapshot | null {
    const e = this.#last;
    if (e === null) return null;
    const s = this.#s;
    const st = this.#state;
    const returns: Snapshot['returns'] = {};
    for (const [sym, rs] of e.returns) {
      returns[sym] = Object.fromEntries(s.windows.map((w, i) => [w.label, rs[i] === null || rs[i] === undefined ? null : round(rs[i]!, 6)]));
    }
    const rrg = s.sectors.map((sec) => {
      const x = st.rrg[sec.symbol] ?? emptyRrg();
      return {
        symbol: sec.symbol,
        rsRatio: x.rsRatio === null ? null : round(x.rsRatio, 6),
        rsMomentum: x.rsMomentum === null ? null : round(x.rsMomentum, 6),
        quadrant: x.quadrant,
        warm: x.quadrant !== null,
        tail: x.tail.map((p) => ({ t: new Date(p.t).toISOString(), rsRatio: round(p.rsRatio, 6), rsMomentum: round(p.rsMomentum, 6) })),
      };
    });
    const warm = rrg.filter((x) => x.quadrant !== null);
    const li = warm.filter((x) => x.quadrant === 'leading' || x.quadrant === 'improving').length;
    return {
      asOf: new Date(e.t).toISOString(),
      returns,
      spreads: e.spreads,
      sectors: e.sectors.map((x) => {
        const ws = st.sectors[x.window];
        return {
          window: x.window,
          ranking: x.ranking.map((r) => ({ ...r, returnPct: round(r.returnPct, 6), relativePct: round(r.relativePct, 6) })),
          leader: ws?.leader.holder ?? null,
          laggard: ws?.laggard.holder ?? null,
          rotationIntensity: x.rotationIntensity === null ? null : round(x.rotationIntensity, 6),
        };
      }),
      rrg,
      breadth: {
        window: s.breadth.window.label,
        sectorsBeatingBenchmarkPct: e.beatingPct === null ? null : round(e.beatingPct, 6),
        sectorsLeadingOrImprovingPct: warm.length === 0 ? null : round((100 * li) / warm.length, 6),
        constituents:
          s.constituents.length === 0
            ? null
            : {
                advancers: st.ad.last?.advancers ?? 0,
                decliners: st.ad.last?.decliners ?? 0,
                unchanged: st.ad.last?.unchanged ?? 0,
                adLine: st.ad.adLine,
                mcclellan: (() => {
                  const m = mcclellan(st.ad);
                  return m === null ? null : round(m, 6);
                })(),
              },
      },
    };
  }
}
