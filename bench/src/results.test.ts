import { describe, expect, it } from 'vitest';
import { summaryFields, type BenchResults } from './results.js';

const meta = { date: '', gitSha: '', gitDirty: false, node: '', cpus: 2, cpuModel: '', totalMemMb: 1, quick: false, sections: [], infra: { kafka: 'own', redis: 'own' }, durationsSec: {}, totalSec: 1, notes: {} } as BenchResults['meta'];

describe('summaryFields', () => {
  it("copies the 10k row's hops and the platformatic ceilings of the same run", () => {
    const hop = { samples: 1200, p50Ms: 3, p99Ms: 9, what: 'x' };
    const row = (rate: number, hops?: unknown) => ({ offeredTicksPerSec: rate, achievedTicksPerSec: rate, samples: 1200, p50Ms: 1, p99Ms: 2, p999Ms: 3, maxMs: 4, sustained: true, ...(hops ? { hops } : {}) });
    const r: BenchResults = {
      meta,
      latency: [row(1_000, { producer: { ...hop, p50Ms: 99 } }), row(10_000, { producer: hop })],
      ingest: { ticksPerSec: 1, kafkajsProducerCeiling: 2, javaProducerCeiling: null, ratioToKafkajs: 0.5, ratioToJava: null, recordBytes: 88, batchRecords: 4000, platformaticProducerCeiling: 3, platformaticToKafkajs: 1.5 },
      detector: { error: 'broker down' },
    };
    expect(summaryFields(r)).toEqual({
      hops: { producer: { samples: 1200, p50Ms: 3, p99Ms: 9 } },
      platformatic: { producerCeiling: 3, consumerCeiling: null, producerToKafkajs: 1.5, consumerToKafkajs: null },
    });
  });

  it('has null hops when the latency section failed', () => {
    expect(summaryFields({ meta, latency: { error: 'no gateway' } }).hops).toBeNull();
  });
});
