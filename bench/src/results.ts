/** The shape of bench/results/*.json. Every section is either its figures or {error}. */
export interface SectionError {
  error: string;
}

export interface IngestResult {
  ticksPerSec: number;
  kafkajsProducerCeiling: number;
  javaProducerCeiling: number | null;
  ratioToKafkajs: number | null;
  ratioToJava: number | null;
  recordBytes: number;
  batchRecords: number;
  javaError?: string;
  [extra: string]: unknown;
}

export interface DetectorResult {
  ticksPerSec: number;
  kafkajsConsumerCeiling: number;
  ratio: number | null;
  ticks: number;
  [extra: string]: unknown;
}

export interface LatencyRow {
  offeredTicksPerSec: number;
  achievedTicksPerSec: number;
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  sustained: boolean;
  note?: string;
  [extra: string]: unknown;
}

export interface FanoutRow {
  clients: number;
  connected: number;
  deliveredPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  rssMbPer1kClients: number | null;
  gatewayRssMb: number | null;
  error?: string;
  [extra: string]: unknown;
}

/** One offered rate of the fan-out ladder, over the same connections. */
export interface FanoutStep {
  offeredFramesPerSec: number;
  alertsPerSec: number;
  deliveredPerSec: number;
  deliveredShare: number;
  keptUp: boolean;
  samples: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  gatewayCpu: number | null;
  loadCpu: number;
  framesPerGatewayCpuSec: number | null;
  clientsClosed: number;
}

export interface MemoryRow {
  symbols: number;
  rssMb: number | null;
  ticks: number;
  error?: string;
  [extra: string]: unknown;
}

export type Section<T> = T | SectionError;

/** Detector throughput with N active user rules, against the run without rules in the same bench run. */
export interface RulesRow {
  rules: number;
  ticksPerSec: number;
  ratioToNoRules: number | null;
}

export interface BenchResults {
  meta: {
    date: string;
    gitSha: string;
    gitDirty: boolean;
    node: string;
    cpus: number;
    cpuModel: string;
    totalMemMb: number;
    quick: boolean;
    sections: string[];
    infra: { kafka: 'own' | 'given'; redis: 'own' | 'given' };
    durationsSec: Record<string, number>;
    totalSec: number;
    notes: Record<string, string>;
    /** os.loadavg() (1, 5, 15 min) when the run started and ended: how shared the machine was. */
    loadAvg?: { start: number[]; end: number[] };
  };
  ingest?: Section<IngestResult>;
  detector?: Section<DetectorResult>;
  latency?: Section<LatencyRow[]> ;
  fanout?: Section<FanoutRow[]>;
  memory?: Section<MemoryRow[]>;
  rules?: Section<RulesRow[]>;
  /** Per-hop p50/p99 of the 10k ticks/s latency row (copied from it). */
  hops?: Record<string, { samples: number; p50Ms: number | null; p99Ms: number | null; [extra: string]: unknown }> | null;
  fanoutSaturation?: { framesPerSec: number; clients: number; p99Ms: number | null; saturated: boolean; framesPerGatewayCpuSec: number | null } | null;
  /** Bare @platformatic/kafka ceilings (records/s), same run and settings as the kafkajs ones. */
  platformatic?: { producerCeiling: number | null; consumerCeiling: number | null; producerToKafkajs: number | null; consumerToKafkajs: number | null };
}

/** The summary fields of latest.json, derived from the sections of the same run. */
export function summaryFields(r: BenchResults): Pick<BenchResults, 'hops' | 'fanoutSaturation' | 'platformatic'> {
  const lat = r.latency && !isError(r.latency) ? r.latency : [];
  const row10k = lat.find((row) => row.offeredTicksPerSec === 10_000);
  const hops = (row10k?.hops as BenchResults['hops'] | undefined) ?? null;
  const ing = r.ingest && !isError(r.ingest) ? r.ingest : undefined;
  const det = r.detector && !isError(r.detector) ? r.detector : undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    hops: hops ? Object.fromEntries(Object.entries(hops).map(([k, h]) => [k, { samples: h.samples, p50Ms: h.p50Ms, p99Ms: h.p99Ms }])) : null,
    platformatic: {
      producerCeiling: num(ing?.platformaticProducerCeiling),
      consumerCeiling: num(det?.platformaticConsumerCeiling),
      producerToKafkajs: num(ing?.platformaticToKafkajs),
      consumerToKafkajs: num(det?.platformaticToKafkajs),
    },
  };
}

export function isError(v: unknown): v is SectionError {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as SectionError).error === 'string';
}
