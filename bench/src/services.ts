import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './children.js';

export const SERVICE_MAIN = {
  detector: path.join(REPO_ROOT, 'services/detector/src/main.ts'),
  gateway: path.join(REPO_ROOT, 'services/gateway/src/main.ts'),
  ingester: path.join(REPO_ROOT, 'services/ingester/src/main.ts'),
} as const;

/** Sections that need a service fail soft with this when its entry point is not there yet. */
export function requireService(name: keyof typeof SERVICE_MAIN): string {
  const file = SERVICE_MAIN[name];
  if (!existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} does not exist yet (service not landed)`);
  return file;
}
