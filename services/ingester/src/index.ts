/** The ingester's reusable parts, for benchmarks and tools; `src/main.ts` is the CLI. */
export { Normalizer, DEFAULT_DEDUP_WINDOW, type NormalizeResult, type NormalizerOptions } from './core/normalize.js';
export { parseTimestamp } from './core/timestamp.js';
export { detectFormat, createLineDecoder, decodeAlpacaBars, symbolFromFileName, FILE_FORMATS, type FileFormat } from './core/parsers/formats.js';
export { SyntheticGenerator, type SyntheticOptions, type SyntheticTick } from './core/synthetic/generator.js';
export { SCENARIOS, SCENARIO_NAMES, type ScenarioName } from './core/synthetic/scenarios.js';
export { parseSpeed, type Speed } from './core/pacer.js';
export type { RawQuote, QuoteSink } from './core/source.js';
export type { IngestSource } from './core/ingest-source.js';
export { ReplaySource, type ReplayOptions } from './adapters/replay-source.js';
export { SyntheticSource, type SyntheticSourceOptions } from './adapters/synthetic-source.js';
export { TickPublisher, type PublisherCounters } from './adapters/publisher.js';
export { Pipeline, type PipelineOptions, type RunSummary } from './adapters/pipeline.js';
export { createIngesterMetrics } from './adapters/metrics.js';
