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
  };
  ingest?: Section<IngestResult>;
  detector?: Section<DetectorResult>;
  latency?: Section<LatencyRow[]> ;
  fanout?: Section<FanoutRow[]>;
  memory?: Section<MemoryRow[]>;
  rules?: Section<RulesRow[]>;
}

export function isError(v: unknown): v is SectionError {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as SectionError).error === 'string';
}
