/**
 * Scenarios script the factor drifts over the run's event time. Factors: market, size
 * (small minus large), ai (the AI basket against the rest), and one per sector. Drifts are log
 * returns per day; `reversion` (per day) pulls a factor's level back to zero, which is how
 * `choppy` keeps relative moves from ever becoming a trend.
 */
export const SCENARIO_NAMES = ['small-cap-rotation', 'large-cap-melt-up', 'choppy'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface FactorRegime {
  market: number;
  size: number;
  ai: number;
  /** Drift per sector symbol; sectors not named have none. */
  sectors: Readonly<Record<string, number>>;
}

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** Drifts at progress p (0 at the start of the run, 1 at its end). */
  regime(p: number): FactorRegime;
  /** Mean reversion of the relative factors (size, ai, sectors) and of idiosyncratic moves, per day. */
  reversion: number;
}

const QUIET: FactorRegime = { market: 0, size: 0, ai: 0, sectors: {} };

/** The first fifth of a run is quiet, so a detector sees a baseline before the regime starts. */
const BASELINE = 0.2;

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'small-cap-rotation': {
    name: 'small-cap-rotation',
    description: 'After a quiet baseline, small caps (IWM, IJR) outperform SPY/QQQ for the rest of the run; XLK lags, XLB leads, the AI basket lags RSP',
    regime: (p) => (p < BASELINE ? QUIET : { market: 0.002, size: 0.02, ai: -0.02, sectors: { XLK: -0.02, XLB: 0.02, XLI: 0.005 } }),
    reversion: 0,
  },
  'large-cap-melt-up': {
    name: 'large-cap-melt-up',
    description: 'After a quiet baseline, everything rises led by mega caps: QQQ/SPY and the AI basket beat small caps and RSP; XLK leads, defensives lag',
    regime: (p) => (p < BASELINE ? QUIET : { market: 0.01, size: -0.015, ai: 0.02, sectors: { XLK: 0.015, XLC: 0.008, XLU: -0.008, XLP: -0.008 } }),
    reversion: 0,
  },
  choppy: {
    name: 'choppy',
    description: 'Market noise with no persistent rotation: relative moves mean-revert within hours, so no spread persists',
    regime: () => QUIET,
    reversion: 8, // half-life of ln2/8 days ~ 2 h
  },
};
