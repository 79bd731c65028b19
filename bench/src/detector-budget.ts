/**
 * Where the detector's time per tick goes, against the bare consumer's, from one run of each on
 * the same pre-filled topic: wall and CPU time per tick of both processes, and the detector's own
 * phases from its /metrics (sums over the whole run divided by the ticks). If the detector's CPU
 * per tick is about its wall time per tick, it is bound by one core, and the ratio to the bare
 * consumer is the ratio of their CPU per tick: the phases say which part of the difference is ours.
 */

/** The value of a counter or a histogram's `_sum` / `_count` series, with all of `labels`; null when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | null {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    const have = labelText ? labelText.split(',') : [];
    if (!want.every((w) => have.includes(w))) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return null;
}

export interface ProcessRun {
  /** Steady rate (records committed per second). */
  perSec: number;
  /** CPU seconds the process used over the steady part. */
  cpuSeconds: number | null;
  /** Records that CPU time covers. */
  ticks: number;
}

export interface DetectorBudget {
  /** Microseconds per tick. `inBatch` is all of eachBatch; process and commit are inside it; publish overlaps the next batch. */
  bare: { wallUs: number; cpuUs: number | null };
  detector: { wallUs: number; cpuUs: number | null; inBatchUs: number | null; processUs: number | null; commitUs: number | null; publishUs: number | null };
  /** Detector CPU per tick / wall per tick: near 1 means one core is the limit. */
  detectorCoreShare: number | null;
}

const perTick = (seconds: number | null, ticks: number) => (seconds === null || ticks <= 0 ? null : round((seconds * 1e6) / ticks));
const round = (x: number) => Math.round(x * 100) / 100;

/** `metricsText` is the detector's /metrics at the end of its run; `totalTicks` the topic's records (the phases cover all of them). */
export function detectorBudget(bare: ProcessRun, detector: ProcessRun, metricsText: string, totalTicks: number): DetectorBudget {
  const phase = (name: string) => perTick(metricValue(metricsText, 'detector_batch_phase_seconds_sum', { phase: name }), totalTicks);
  const detCpuUs = perTick(detector.cpuSeconds, detector.ticks);
  const detWallUs = round(1e6 / detector.perSec);
  return {
    bare: { wallUs: round(1e6 / bare.perSec), cpuUs: perTick(bare.cpuSeconds, bare.ticks) },
    detector: {
      wallUs: detWallUs,
      cpuUs: detCpuUs,
      inBatchUs: perTick(metricValue(metricsText, 'detector_batch_duration_seconds_sum'), totalTicks),
      processUs: phase('process'),
      commitUs: phase('commit'),
      publishUs: phase('publish'),
    },
    detectorCoreShare: detCpuUs === null ? null : round(detCpuUs / detWallUs),
  };
}
