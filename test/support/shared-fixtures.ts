/**
 * Where the providers' own samples are (`shared/fixtures/market-data`, third-party data that
 * is read in place and never copied into this repository). Beside the checkout as `../shared`
 * on a developer's machine; a CI job that clones the checkout elsewhere finds it beside the
 * clone's origin.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '@rotation/config';

/** The local directory the checkout was cloned from, when it was cloned from one. */
function localOrigin(): string | null {
  try {
    const url = execFileSync('git', ['-C', REPO_ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (url.startsWith('file://')) return fileURLToPath(url);
    return path.isAbsolute(url) ? url : null;
  } catch {
    return null;
  }
}

function candidates(): string[] {
  const out: string[] = [];
  out.push(path.resolve(REPO_ROOT, '../shared'));
  const origin = localOrigin();
  if (origin) out.push(path.resolve(origin, '../shared'));
  return out;
}

/** `<shared>/fixtures/market-data`, or null when no copy of the shared material is reachable. */
export function marketDataFixtures(): string | null {
  for (const dir of candidates()) {
    const fixtures = path.join(dir, 'fixtures', 'market-data');
    if (existsSync(path.join(fixtures, 'README.md'))) return fixtures;
  }
  return null;
}

/** The fixtures directory, or a message naming where it was looked for (for a skipped suite). */
export function requireMarketDataFixtures(): { dir: string; missing: null } | { dir: string; missing: string } {
  const dir = marketDataFixtures();
  if (dir !== null) return { dir, missing: null };
  const looked = candidates().map((c) => path.join(c, 'fixtures', 'market-data'));
  return { dir: looked[0]!, missing: `shared market-data fixtures not found (looked in ${looked.join(', ')})` };
}
