import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DATA_DIR = path.join(REPO_ROOT, '.data');
export const CACHE_DIR = path.join(DATA_DIR, 'cache');
export const KAFKA_INFRA_DIR = path.join(REPO_ROOT, 'infra', 'kafka');
