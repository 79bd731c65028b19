export { ConfigError, ConfigErrorCode, type ConfigIssue } from './errors.js';
export { Secret } from './secret.js';
export { EnvSchema, DEFAULT_DETECTOR_HTTP_PORT, DEFAULT_INGESTER_HTTP_PORT, type Env } from './env.js';
export { envReference, type EnvEntry } from './env-reference.js';
export { DurationMs, parseDuration, DetectorSettings, UniverseFile, type Universe } from './universe.js';
export { loadConfig, loadTestEnv, infraOverrides, childEnv, parseEnv, parseUniverse, loadUniverseFile, REPO_ROOT, DEFAULT_UNIVERSE_FILE, type Config } from './load.js';
export { formatPath, toConfigIssues } from './format-issues.js';
export { historyNeed, type HistoryNeed } from './history-needs.js';
export { readJsonFile, MAX_CONFIG_FILE_BYTES } from './json-file.js';
