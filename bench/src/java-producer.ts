import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveKafkaClasspath } from '@rotation/infra';

const run = promisify(execFile);

export interface JavaPerfResult {
  recordsPerSec: number;
  records: number;
  avgLatencyMs: number | null;
  line: string;
}

/**
 * The last summary line of ProducerPerformance, e.g.
 *   "2000000 records sent, 412371.1 records/sec (33.65 MB/sec), 512.34 ms avg latency, 900.00 ms max latency, ..."
 */
export function parseProducerPerformance(output: string): JavaPerfResult | undefined {
  const lines = output.split('\n').filter((l) => /records sent,.*records\/sec/.test(l));
  const line = lines.at(-1);
  if (!line) return undefined;
  const m = line.match(/(\d+) records sent, ([\d.]+) records\/sec.*?(?:([\d.]+) ms avg latency)?/);
  if (!m) return undefined;
  const avg = line.match(/([\d.]+) ms avg latency/);
  return { records: Number(m[1]), recordsPerSec: Number(m[2]), avgLatencyMs: avg ? Number(avg[1]) : null, line: line.trim() };
}

/**
 * Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance from the
 * kafka-tools jar) on the same broker: acks=all, idempotent, the same record size and about
 * the same bytes per request as the ingester's batches.
 */
export async function javaProducerPerformance(o: { bootstrap: string; topic: string; records: number; recordBytes: number; batchBytes: number; timeoutMs: number }): Promise<JavaPerfResult> {
  const classpath = await resolveKafkaClasspath();
  const args = [
    '-Xmx512m', '-cp', classpath, '-Dlog4j.configuration=file:/dev/null',
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic', o.topic,
    '--num-records', String(o.records),
    '--record-size', String(o.recordBytes),
    '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${o.bootstrap}`, 'acks=all', 'enable.idempotence=true', 'linger.ms=5',
    `batch.size=${o.batchBytes}`, 'compression.type=none',
  ];
  const { stdout, stderr } = await run('java', args, { timeout: o.timeoutMs, maxBuffer: 8 * 1024 * 1024 });
  const parsed = parseProducerPerformance(stdout);
  if (!parsed) throw new Error(`no "records/sec" summary in ProducerPerformance output: ${(stdout + stderr).slice(-600)}`);
  return parsed;
}
