import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { resolveKafkaClasspath } from './classpath.js';
import { InfraError, InfraErrorCode } from './errors.js';
import { KAFKA_INFRA_DIR } from './paths.js';
import { freePort } from './ports.js';
import { isAlive, stopProcess } from './process.js';

const run = promisify(execFile);

export interface KafkaBrokerOptions {
  /** Broker storage; kept between runs when it is the same directory (formatted once). */
  dataDir: string;
  port?: number;
  controllerPort?: number;
  heapMb?: number;
  readyTimeoutMs?: number;
  log?: (msg: string) => void;
}

export interface KafkaBrokerHandle {
  pid: number;
  port: number;
  controllerPort: number;
  bootstrap: string;
  dataDir: string;
  logFile: string;
}

export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBrokerHandle> {
  const log = options.log ?? (() => undefined);
  await assertJava();
  const classpath = await resolveKafkaClasspath(log);
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true });

  const template = await readFile(path.join(KAFKA_INFRA_DIR, 'server.properties.template'), 'utf8');
  const props = template
    .replaceAll('${PORT}', String(port))
    .replaceAll('${CONTROLLER_PORT}', String(controllerPort))
    .replaceAll('${DATA_DIR}', path.join(dataDir, 'kraft'));
  const propsFile = path.join(dataDir, 'server.properties');
  await writeFile(propsFile, props);

  const java = ['-Xms128m', `-Xmx${options.heapMb ?? 512}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${path.join(KAFKA_INFRA_DIR, 'log4j.properties')}`, '-cp', classpath];

  // Format once; the cluster id is kept beside the data so a restart reuses the same log.
  const idFile = path.join(dataDir, 'cluster-id');
  let clusterId = await readFile(idFile, 'utf8').then((s) => s.trim()).catch(() => '');
  if (!clusterId) {
    // Base64url may begin with "-", which the storage tool would read as an option.
    do clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-'));
    await writeFile(idFile, clusterId);
  }
  if (!existsSync(path.join(dataDir, 'kraft', 'meta.properties'))) {
    try {
      await run('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile, '-g'], { timeout: 120_000 });
    } catch (cause) {
      const e = cause as { stdout?: string; stderr?: string };
      throw new InfraError(InfraErrorCode.formatFailed, `kafka storage format failed: ${(e.stdout ?? '') + (e.stderr ?? '')}`, {}, { cause });
    }
  }

  const logFile = path.join(logDir, 'broker.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('java', [...java, 'kafka.Kafka', propsFile], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new InfraError(InfraErrorCode.exitedEarly, 'could not spawn java');
  const bootstrap = `127.0.0.1:${port}`;
  log(`kafka broker starting on ${bootstrap} (pid ${pid}, log ${logFile})`);
  try {
    await waitForBroker(bootstrap, pid, options.readyTimeoutMs ?? 120_000, logFile);
  } catch (e) {
    await stopProcess(pid, 5_000);
    throw e;
  }
  return { pid, port, controllerPort, bootstrap, dataDir, logFile };
}

export async function stopKafkaBroker(pid: number): Promise<void> {
  // A controlled shutdown of a single node takes a few seconds; give it room before SIGKILL.
  await stopProcess(pid, 20_000);
}

async function waitForBroker(bootstrap: string, pid: number, timeoutMs: number, logFile: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'infra-ready', brokers: [bootstrap], logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } });
  const admin = kafka.admin();
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (!isAlive(pid)) {
        const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
        throw new InfraError(InfraErrorCode.exitedEarly, `kafka broker exited during start-up; last log lines:\n${tail}`);
      }
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      } catch {
        /* not up yet */
      }
      await sleep(300);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new InfraError(InfraErrorCode.startTimeout, `kafka broker on ${bootstrap} did not answer within ${timeoutMs} ms (see ${logFile})`);
}

async function assertJava(): Promise<void> {
  try {
    await run('java', ['-version']);
  } catch (cause) {
    throw new InfraError(InfraErrorCode.javaMissing, 'java (17+) is required to run the local Kafka broker; install OpenJDK 17 or set KAFKA_BROKERS', {}, { cause });
  }
}
