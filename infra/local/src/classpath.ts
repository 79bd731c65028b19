import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { InfraError, InfraErrorCode } from './errors.js';
import { CACHE_DIR, KAFKA_INFRA_DIR } from './paths.js';

const run = promisify(execFile);

/**
 * The broker's runtime classpath, resolved by Maven from infra/kafka/pom.xml and cached under
 * .data/cache keyed by the pom's hash: the first call downloads the jars (tens of seconds),
 * later calls read one small file. A cache whose jars were deleted is rebuilt.
 */
export async function resolveKafkaClasspath(log: (msg: string) => void = () => undefined): Promise<string> {
  const pom = path.join(KAFKA_INFRA_DIR, 'pom.xml');
  const hash = createHash('sha256').update(await readFile(pom)).digest('hex').slice(0, 16);
  const cacheFile = path.join(CACHE_DIR, `kafka-classpath-${hash}.txt`);
  const cached = await readFile(cacheFile, 'utf8').catch(() => undefined);
  if (cached && cached.split(path.delimiter).every((jar) => existsSync(jar))) return cached.trim();

  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  log('resolving Apache Kafka broker jars with Maven (first run downloads them)...');
  try {
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${tmp}`], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    const hint = e.code === 'ENOENT' ? 'Maven (mvn) is not installed; install it (apt-get install maven) or set KAFKA_BROKERS' : (e.stdout ?? '') + (e.stderr ?? '');
    throw new InfraError(InfraErrorCode.mavenFailed, `could not resolve the Kafka classpath: ${hint.slice(-2000)}`, {}, { cause });
  }
  // Rename so that a concurrent launcher never reads a half-written file.
  await rename(tmp, cacheFile);
  return (await readFile(cacheFile, 'utf8')).trim();
}
