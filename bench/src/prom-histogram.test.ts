import { describe, expect, it } from 'vitest';
import { bucketCount, bucketQuantile, diffBuckets, parseBuckets } from './prom-histogram.js';

const scrape = (a: number, b: number, c: number, inf: number) =>
  [
    '# TYPE detector_batch_phase_seconds histogram',
    `detector_batch_phase_seconds_bucket{le="0.001",phase="commit"} ${a}`,
    `detector_batch_phase_seconds_bucket{le="0.002",phase="commit"} ${b}`,
    `detector_batch_phase_seconds_bucket{le="0.005",phase="commit"} ${c}`,
    `detector_batch_phase_seconds_bucket{le="+Inf",phase="commit"} ${inf}`,
    'detector_batch_phase_seconds_bucket{le="0.001",phase="process"} 99',
    `detector_batch_phase_seconds_count{phase="commit"} ${inf}`,
  ].join('\n');

describe('Prometheus histogram quantiles', () => {
  it('parses one label value of a histogram, +Inf included', () => {
    const b = parseBuckets(scrape(1, 2, 3, 4), 'detector_batch_phase_seconds', { name: 'phase', value: 'commit' });
    expect([...b.entries()]).toEqual([
      [0.001, 1],
      [0.002, 2],
      [0.005, 3],
      [Infinity, 4],
    ]);
  });

  it('interpolates inside the bucket between two scrapes, as histogram_quantile does', () => {
    const before = parseBuckets(scrape(10, 10, 10, 10), 'detector_batch_phase_seconds', { name: 'phase', value: 'commit' });
    const after = parseBuckets(scrape(10, 110, 110, 110), 'detector_batch_phase_seconds', { name: 'phase', value: 'commit' });
    const d = diffBuckets(after, before);
    expect(bucketCount(d)).toBe(100);
    // All 100 new observations are in (1 ms, 2 ms]: the median is the middle of that bucket.
    expect(bucketQuantile(d, 0.5)).toBeCloseTo(0.0015, 6);
    expect(bucketQuantile(d, 0.99)).toBeCloseTo(0.00199, 6);
  });

  it('answers null without observations and the last finite bound for the +Inf bucket', () => {
    const none = parseBuckets(scrape(0, 0, 0, 0), 'detector_batch_phase_seconds', { name: 'phase', value: 'commit' });
    expect(bucketQuantile(none, 0.5)).toBeNull();
    const slow = parseBuckets(scrape(0, 0, 0, 5), 'detector_batch_phase_seconds', { name: 'phase', value: 'commit' });
    expect(bucketQuantile(slow, 0.99)).toBe(0.005);
  });
});
