import { describe, expect, it } from 'vitest';
import { parseProducerPerformance } from './java-producer.js';
import { datedName, fmtNum, renderMarkdown, table } from './report.js';
import type { BenchResults } from './results.js';

const meta: BenchResults['meta'] = {
  date: '2026-11-23T21:05:09.000Z',
  gitSha: 'abcdef1234567890',
  gitDirty: false,
  node: 'v20.20.2',
  cpus: 2,
  cpuModel: 'AMD EPYC',
  totalMemMb: 24105,
  quick: false,
  sections: ['ingest', 'fanout'],
  infra: { kafka: 'own', redis: 'own' },
  durationsSec: { ingest: 40 },
  totalSec: 120,
  notes: { ingest: 'how it was taken' },
};

describe('renderMarkdown', () => {
  it('renders figures, ratios and section errors', () => {
    const md = renderMarkdown({
      meta,
      ingest: { ticksPerSec: 52000, kafkajsProducerCeiling: 65000, javaProducerCeiling: 400000, ratioToKafkajs: 0.8, ratioToJava: 0.13, recordBytes: 88, batchRecords: 4000 },
      fanout: [{ clients: 1000, connected: 1000, deliveredPerSec: 10000, p50Ms: 2.5, p99Ms: 12.25, rssMbPer1kClients: 8.5, gatewayRssMb: 120 }],
      memory: { error: 'services/detector/src/main.ts does not exist yet' },
    });
    expect(md).toContain('| 52,000 | 65,000 | – | 400,000 | 0.80 | – | 0.13 |');
    expect(md).toContain('| 1,000 | 1,000 | 10,000 | – | 2.5 | 12.3 | – | – | 120.0 | 8.5 |');
    expect(md).toContain('_memory not measured: services/detector/src/main.ts does not exist yet_');
    expect(md).toContain('- **ingest**: how it was taken');
    expect(md).not.toContain('## Latency');
  });

  it('shows a missing Java ceiling with its reason', () => {
    const md = renderMarkdown({ meta, ingest: { ticksPerSec: 1, kafkajsProducerCeiling: 2, javaProducerCeiling: null, ratioToKafkajs: 0.5, ratioToJava: null, recordBytes: 88, batchRecords: 4000, javaError: 'java missing' } });
    expect(md).toContain('– (java missing)');
  });
});

describe('helpers', () => {
  it('table', () => {
    expect(table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
  it.each([
    [1234.5, 0, '1,235'],
    [null, 0, '–'],
    [Number.NaN, 1, '–'],
    [3.14159, 2, '3.14'],
  ])('fmtNum(%s, %d) = %s', (n, d, s) => {
    expect(fmtNum(n, d)).toBe(s);
  });
  it('dated file name has minute resolution and no colon', () => {
    expect(datedName(new Date('2026-11-23T21:05:59.123Z'))).toBe('2026-11-23T21-05.json');
  });
});

describe('parseProducerPerformance', () => {
  it('takes the last summary line, not the periodic progress lines', () => {
    const out = [
      '1566031 records sent, 313206.2 records/sec (26.28 MB/sec), 79.4 ms avg latency, 354.0 ms max latency.',
      '3000000 records sent, 337724.530000 records/sec (28.34 MB/sec), 71.21 ms avg latency, 354.00 ms max latency, 45 ms 50th, 200 ms 95th, 300 ms 99th, 350 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(out)).toEqual({ records: 3000000, recordsPerSec: 337724.53, avgLatencyMs: 71.21, line: expect.stringContaining('3000000 records sent') });
  });
  it('is undefined without a summary', () => {
    expect(parseProducerPerformance('Exception in thread "main"')).toBeUndefined();
  });
});
