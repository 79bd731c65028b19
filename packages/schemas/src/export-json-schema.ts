/**
 * Writes docs/schemas/<name>.json from the zod schemas (zod's own converter).
 * `--check` fails when the committed files differ, so CI keeps docs and code in step.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { registry } from './registry.js';

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/schemas');
const check = process.argv.includes('--check');

export function render(): Map<string, string> {
  const files = new Map<string, string>();
  for (const { name, title, schema } of registry) {
    const json = { title, ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }) };
    files.set(`${name}.json`, `${JSON.stringify(json, null, 2)}\n`);
  }
  return files;
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const stale: string[] = [];
  for (const [file, text] of render()) {
    const target = path.join(outDir, file);
    if (check) {
      const current = await readFile(target, 'utf8').catch(() => '');
      if (current !== text) stale.push(file);
    } else {
      await writeFile(target, text);
    }
  }
  if (stale.length > 0) {
    console.error(`docs/schemas is out of date (${stale.join(', ')}): run \`pnpm schemas:export\` and commit.`);
    process.exit(1);
  }
  console.log(check ? 'docs/schemas is up to date' : `wrote ${registry.length} schemas to docs/schemas`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
