import type { Snapshot } from '@rotation/schemas';

/**
 * What the dashboard would show empty for a snapshot: every return, spread, z-score of a
 * session-or-longer window, sector ranking, RRG point and breadth figure must have a value.
 * Leaders and laggards are not counted: "no clear leader" is an answer, not an empty panel.
 */
export function coldPanels(s: Snapshot | null, sectorCount: number): string[] {
  if (s === null) return ['no snapshot'];
  const cold: string[] = [];
  const sessionWindows = new Set((s.market?.windows ?? []).filter((w) => w.kind !== 'intraday').map((w) => w.window));
  for (const [symbol, byWindow] of Object.entries(s.returns)) for (const [w, r] of Object.entries(byWindow)) if (r === null) cold.push(`return ${symbol} ${w}`);
  for (const p of s.spreads) {
    if (p.spreadPp === null) cold.push(`spread ${p.pair} ${p.window}`);
    if (sessionWindows.has(p.window) && p.zScore === null) cold.push(`z-score ${p.pair} ${p.window}`);
  }
  for (const w of s.sectors) if (w.ranking.length < sectorCount) cold.push(`sector ranking ${w.window} (${w.ranking.length}/${sectorCount})`);
  for (const p of s.rrg) if (!p.warm) cold.push(`rrg ${p.symbol}`);
  if (s.rrg.length < sectorCount) cold.push(`rrg (${s.rrg.length}/${sectorCount})`);
  if (s.breadth.sectorsBeatingBenchmarkPct === null) cold.push('breadth: sectors beating the benchmark');
  if (s.breadth.sectorsLeadingOrImprovingPct === null) cold.push('breadth: sectors leading or improving');
  if (s.breadth.advancingPct === null) cold.push('breadth: advancing share');
  return cold;
}
