import { readFileSync, statSync } from 'node:fs';
import { ConfigError, ConfigErrorCode } from './errors.js';

/** Largest configuration file read by default; real ones are a few KiB. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Reads a JSON configuration file with a size limit. An unreadable, oversized or non-JSON file
 * is a ConfigError that names the file; validating the content is the caller's (with its schema).
 */
export function readJsonFile(file: string, maxBytes = MAX_CONFIG_FILE_BYTES): unknown {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > maxBytes) throw new Error(`file is ${size} bytes; the limit is ${maxBytes}`);
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(ConfigErrorCode.fileUnreadable, file, [{ path: '(file)', message: (cause as Error).message }], { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConfigError(ConfigErrorCode.fileNotJson, file, [{ path: '(file)', message: (cause as Error).message }], { cause });
  }
}
