/**
 * `tsx bench/src/profile-top.ts <file.cpuprofile> [n]`: the functions with the most self time
 * in a V8 CPU profile (as written by `pnpm bench --cpu-prof <dir>`), and the same by file, so
 * a profile can be read in a terminal and quoted in bench/README.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface TopEntry {
  name: string;
  selfPct: number;
}

export function topSelf(profile: Profile, n: number, key: (f: ProfileNode['callFrame']) => string): TopEntry[] {
  const total = profile.nodes.reduce((s, x) => s + (x.hitCount ?? 0), 0) || 1;
  const by = new Map<string, number>();
  for (const node of profile.nodes) by.set(key(node.callFrame), (by.get(key(node.callFrame)) ?? 0) + (node.hitCount ?? 0));
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, hits]) => ({ name, selfPct: Math.round((hits / total) * 1000) / 10 }));
}

function shortUrl(url: string): string {
  const m = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  return url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '') || '(native)';
}

const [file, nText] = process.argv.slice(2);
if (file) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const n = Number(nText ?? 25);
  const secs = (profile.endTime - profile.startTime) / 1e6;
  process.stdout.write(`${path.basename(file)}: ${secs.toFixed(1)} s profiled\n\nself time by function:\n`);
  for (const e of topSelf(profile, n, (f) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`)) process.stdout.write(`${e.selfPct.toFixed(1).padStart(5)} %  ${e.name}\n`);
  process.stdout.write('\nself time by file / package:\n');
  for (const e of topSelf(profile, 15, (f) => shortUrl(f.url))) process.stdout.write(`${e.selfPct.toFixed(1).padStart(5)} %  ${e.name}\n`);
}
