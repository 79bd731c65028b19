export { startDetector, type DetectorHandle, type StartDetectorOptions } from './main.js';
export { detectorKeys } from './adapters/redis-keys.js';
export { Detector, emptyState } from './core/detector.js';
export { compileSettings, type CompiledSettings } from './core/settings.js';
export { processBatch, processRuleBatch } from './core/process-batch.js';
export { MemoryStateStore, type StateStore } from './core/store.js';
export { lanesForSymbols } from './adapters/lanes.js';
export type { InputRecord } from './core/tick-input.js';
export { testUniverse } from './core/test-universe.js';
export { createMetrics as createDetectorMetrics } from './adapters/http.js';
export { historyTracks, HISTORY_POINTS, POINTS_PER_WINDOW, type HistoryTrack } from './core/history.js';

// For tools and tests outside the package: they import it by name, never a path into its src/.
export * from './adapters/redis-store.js';
