/**
 * Synthetic generator throughput on one core: `npx tsx bench/src/synthetic-rate.ts [ticks]`.
 * Measures generation alone (the generator's own loop, no Kafka), the figure the issue's
 * ">= 200k ticks/s" is about, and generation plus normalisation (what a run pays before the producer).
 */
import { DEFAULT_UNIVERSE_FILE, loadUniverseFile } from '@rotation/config';
import { Normalizer, SyntheticGenerator } from '@rotation/ingester';

const universe = loadUniverseFile(DEFAULT_UNIVERSE_FILE);
const target = Number(process.argv[2] ?? 5_000_000);

function measure(label: string, perTick: (t: { symbol: string; price: number; size: number; ts: number }) => void): void {
  const durationMs = Math.ceil(target / 1_000) * 1_000; // rate 1000/s of event time -> `target` ticks
  const g = new SyntheticGenerator({ universe, scenario: 'small-cap-rotation', seed: 1, startMs: Date.parse('2024-01-02T14:30:00Z'), durationMs, ratePerSec: 1_000 });
  const t = { symbol: '', price: 0, size: 0, ts: 0 };
  let n = 0;
  let checksum = 0;
  const start = process.hrtime.bigint();
  while (g.next(t)) {
    perTick(t);
    checksum += t.price;
    n += 1;
  }
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ bench: label, ticks: n, seconds: Number(sec.toFixed(3)), ticksPerSec: Math.round(n / sec), checksum: Math.round(checksum) }));
}

measure('synthetic-generate', () => undefined);
const normalizer = new Normalizer({ universe, dedupWindow: 10_000 });
measure('synthetic-generate+normalize', (t) => {
  normalizer.normalize({ symbol: t.symbol, price: t.price, size: t.size, ts: t.ts }, 'synthetic');
});
