import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_UNIVERSE_FILE, parseUniverse } from '@rotation/config';

/** Generated constituent tickers: C0001, C0002, ... (valid symbols, never a real ETF). */
export function constituentSymbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `C${String(i + 1).padStart(4, '0')}`);
}

/**
 * The default universe with generated constituents added until it has `total` symbols, and
 * `overrides` merged into its top level (e.g. detector settings). Validated with the project's
 * own parser before it is written, so a bad override fails here, not in a child process.
 */
export async function writeUniverse(dir: string, name: string, o: { total?: number; overrides?: Record<string, unknown> }): Promise<{ file: string; symbols: number }> {
  const base = JSON.parse(readFileSync(DEFAULT_UNIVERSE_FILE, 'utf8')) as Record<string, unknown>;
  const baseCount = parseUniverse(base).symbols.length;
  const extra = o.total !== undefined ? Math.max(0, o.total - baseCount) : 0;
  const json = { ...base, ...(o.overrides ?? {}), constituents: [...((base.constituents as string[] | undefined) ?? []), ...constituentSymbols(extra)] };
  const symbols = parseUniverse(json).symbols.length;
  const file = path.join(dir, `universe-${name}.json`);
  await writeFile(file, JSON.stringify(json, null, 2));
  return { file, symbols };
}
