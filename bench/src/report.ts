import { isError, type BenchResults } from './results.js';

/** Markdown rendering of a results object: one small table per section. Pure, unit-tested. */

export function fmtNum(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function fmtRatio(r: number | null | undefined): string {
  return r === null || r === undefined ? '–' : r.toFixed(2);
}

export function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function errorLine(name: string, e: { error: string }): string {
  return `_${name} not measured: ${e.error.replace(/\s+/g, ' ').slice(0, 400)}_`;
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.meta;
  out.push(`# Benchmark ${m.date}`);
  out.push(`git ${m.gitSha.slice(0, 12)}${m.gitDirty ? ' (dirty)' : ''} · node ${m.node} · ${m.cpus} × ${m.cpuModel} · ${fmtNum(m.totalMemMb)} MB · ` +
    `kafka ${m.infra.kafka} · redis ${m.infra.redis}${m.quick ? ' · QUICK (smoke run, not comparable)' : ''} · ${fmtNum(m.totalSec)} s` +
    (m.loadAvg ? ` · load average ${m.loadAvg.start[0]} at start, ${m.loadAvg.end[0]} at end` : ''));

  if (r.ingest) {
    out.push('', '## Ingest (ticks/s, acks=all, idempotent)');
    if (isError(r.ingest)) out.push(errorLine('ingest', r.ingest));
    else {
      const i = r.ingest;
      const plat = i.platformaticProducerCeiling as number | null | undefined;
      out.push(table(['ingester', 'bare kafkajs', 'bare @platformatic/kafka', 'Java ProducerPerformance', 'ingester / kafkajs', 'platformatic / kafkajs', 'ingester / Java'], [
        [fmtNum(i.ticksPerSec), fmtNum(i.kafkajsProducerCeiling), fmtNum(plat), i.javaProducerCeiling === null ? `– (${i.javaError ?? 'not run'})` : fmtNum(i.javaProducerCeiling), fmtRatio(i.ratioToKafkajs), fmtRatio(i.platformaticToKafkajs as number | null | undefined), fmtRatio(i.ratioToJava)],
      ]));
    }
  }
  if (r.detector) {
    out.push('', '## Detector (ticks consumed, analysed, checkpointed per second)');
    if (isError(r.detector)) out.push(errorLine('detector', r.detector));
    else {
      const d = r.detector;
      out.push(table(['detector', 'bare kafkajs consumer', 'bare @platformatic/kafka consumer', 'ratio', 'platformatic / kafkajs', 'ticks'], [
        [fmtNum(d.ticksPerSec), fmtNum(d.kafkajsConsumerCeiling), fmtNum(d.platformaticConsumerCeiling as number | null | undefined), fmtRatio(d.ratio), fmtRatio(d.platformaticToKafkajs as number | null | undefined), fmtNum(d.ticks)],
      ]));
    }
  }
  if (r.latency) {
    out.push('', '## Latency, tick published -> websocket event (ms)');
    if (isError(r.latency)) out.push(errorLine('latency', r.latency));
    else {
      out.push(table(['offered ticks/s', 'achieved', 'samples', 'p50', 'p99', 'p99.9', 'max', 'sustained'], r.latency.map((l) => [
        fmtNum(l.offeredTicksPerSec), fmtNum(l.achievedTicksPerSec), fmtNum(l.samples), fmtNum(l.p50Ms, 1), fmtNum(l.p99Ms, 1), fmtNum(l.p999Ms, 1), fmtNum(l.maxMs, 1), l.sustained ? 'yes' : `no${l.note ? ` (${l.note})` : ''}`,
      ])));
    }
  }
  if (r.hops) {
    out.push('', '## Hops at 10k ticks/s (ms)');
    out.push(table(['hop', 'samples', 'p50', 'p99'], Object.entries(r.hops).map(([k, h]) => [k, fmtNum(h.samples), fmtNum(h.p50Ms, 1), fmtNum(h.p99Ms, 1)])));
  }
  if (r.fanout) {
    out.push('', '## Fan-out, one gateway');
    if (isError(r.fanout)) out.push(errorLine('fanout', r.fanout));
    else {
      out.push(table(['clients', 'connected', 'delivered msg/s', 'samples', 'p50 ms', 'p99 ms', 'saturation frames/s', 'frames / gateway CPU-s', 'gateway RSS MB', 'RSS MB / 1k clients'], r.fanout.map((f) => [
        fmtNum(f.clients), fmtNum(f.connected), fmtNum(f.deliveredPerSec), fmtNum(f.samples as number | undefined), fmtNum(f.p50Ms, 1), fmtNum(f.p99Ms, 1),
        f.saturationFramesPerSec === undefined ? '–' : `${fmtNum(f.saturationFramesPerSec as number)}${f.saturated === false ? ' (not reached)' : ''}`,
        fmtNum(f.framesPerGatewayCpuSec as number | null | undefined), fmtNum(f.gatewayRssMb, 1), f.error ? `– (${f.error.slice(0, 80)})` : fmtNum(f.rssMbPer1kClients, 1),
      ])));
    }
  }
  if (r.memory) {
    out.push('', '## Detector memory');
    if (isError(r.memory)) out.push(errorLine('memory', r.memory));
    else {
      out.push(table(['symbols', 'RSS MB', 'ticks fed'], r.memory.map((row) => [fmtNum(row.symbols), row.error ? `– (${row.error.slice(0, 80)})` : fmtNum(row.rssMb, 1), fmtNum(row.ticks)])));
    }
  }
  if (r.rules) {
    out.push('', '## Detector with user rules (ticks/s)');
    if (isError(r.rules)) out.push(errorLine('rules', r.rules));
    else out.push(table(['active rules', 'detector ticks/s', 'ratio to 0 rules'], r.rules.map((row) => [fmtNum(row.rules), fmtNum(row.ticksPerSec), fmtRatio(row.ratioToNoRules)])));
  }
  const notes = Object.entries(m.notes);
  if (notes.length > 0) {
    out.push('', '## Notes');
    for (const [k, v] of notes) out.push(`- **${k}**: ${v}`);
  }
  return `${out.join('\n')}\n`;
}

/** bench/results/2026-11-23T21-05.json: minutes resolution, colons replaced for file systems. */
export function datedName(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace(':', '-')}.json`;
}
