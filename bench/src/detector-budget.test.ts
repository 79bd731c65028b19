import { describe, expect, it } from 'vitest';
import { detectorBudget, metricValue } from './detector-budget.js';

const METRICS = [
  '# HELP detector_batch_phase_seconds Time per phase of one batch',
  'detector_batch_phase_seconds_bucket{le="0.001",phase="process"} 3',
  'detector_batch_phase_seconds_sum{phase="process"} 0.8',
  'detector_batch_phase_seconds_count{phase="process"} 100',
  'detector_batch_phase_seconds_sum{phase="commit"} 0.2',
  'detector_batch_phase_seconds_sum{phase="publish"} 0.1',
  'detector_batch_duration_seconds_sum 1.5',
  'detector_batch_duration_seconds_sum_extra 9',
  'process_cpu_seconds_total 4',
].join('\n');

describe('metricValue', () => {
  it('reads a series by name and labels, not a longer name that starts the same', () => {
    expect(metricValue(METRICS, 'detector_batch_phase_seconds_sum', { phase: 'commit' })).toBe(0.2);
    expect(metricValue(METRICS, 'detector_batch_duration_seconds_sum')).toBe(1.5);
    expect(metricValue(METRICS, 'detector_batch_phase_seconds_sum', { phase: 'rules' })).toBeNull();
    expect(metricValue(METRICS, 'absent_total')).toBeNull();
  });
});

describe('detectorBudget', () => {
  it('gives microseconds per tick for both processes and the detector phases', () => {
    const b = detectorBudget({ perSec: 400_000, cpuSeconds: 0.9, ticks: 300_000 }, { perSec: 200_000, cpuSeconds: 2, ticks: 400_000 }, METRICS, 500_000);
    expect(b.bare).toEqual({ wallUs: 2.5, cpuUs: 3 });
    expect(b.detector).toEqual({ wallUs: 5, cpuUs: 5, inBatchUs: 3, processUs: 1.6, commitUs: 0.4, publishUs: 0.2 });
    expect(b.detectorCoreShare).toBe(1);
  });

  it('leaves what was not measured null', () => {
    const b = detectorBudget({ perSec: 1000, cpuSeconds: null, ticks: 10 }, { perSec: 500, cpuSeconds: null, ticks: 10 }, '', 10);
    expect(b.bare.cpuUs).toBeNull();
    expect(b.detector.processUs).toBeNull();
    expect(b.detectorCoreShare).toBeNull();
  });
});
