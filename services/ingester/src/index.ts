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

// For tools and tests outside the package: they import it by name, never a path into its src/.
export * from './adapters/backfill/index.js';
export * from './adapters/corporate-actions/file-source.js';
export * from './adapters/corporate-actions/index.js';
export * from './adapters/live/alpaca/session.js';
export * from './adapters/live/finnhub/session.js';
export * from './adapters/live/index.js';
export * from './adapters/live/polygon/decode.js';
export * from './adapters/live/polygon/session.js';
export * from './adapters/live/session.js';
export * from './adapters/metrics.js';
export * from './adapters/pipeline.js';
export * from './adapters/publisher.js';
export * from './adapters/replay-source.js';
export * from './adapters/synthetic-source.js';
export * from './core/backfill/plan.js';
export * from './core/errors.js';
export * from './core/ingest-source.js';
export * from './core/normalize.js';
export * from './core/source.js';
export * from './core/synthetic/generator.js';
export * from './core/synthetic/prng.js';
export * from './core/synthetic/scenarios.js';
