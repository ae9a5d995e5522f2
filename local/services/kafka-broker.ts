import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { cacheDir } from '../tooling/cache-dir.js';
import { kafkaBrokersForPort, loopbackHost } from './endpoints.js';
import { ensureKafkaInstalled, kafkaLog4jFile } from './kafka-install.js';
import { LocalServiceError } from './local-service-error.js';
import {
  isPortAcceptingConnections,
  type ServiceStart,
  type StopOutcome,
  startRecordedService,
  stopRecordedProcess,
  waitUntilServiceAnswers,
} from './process-control.js';

const execFileAsync = promisify(execFile);

/** Where and how the local broker listens. */
export interface KafkaBrokerOptions {
  /** Port of the PLAINTEXT listener that clients use. */
  readonly port: number;
  /** Port of the KRaft controller listener (the broker is its own controller). */
  readonly controllerPort: number;
  /**
   * How long to wait for the broker to answer a metadata request after starting it.
   * @default 90_000 ms - generous, because a cold JVM on a busy machine starts slowly
   */
  readonly startTimeoutMs?: number;
  /** Receives one line per install or start step. */
  readonly reportProgress: (line: string) => void;
}

/** Files of the broker instance that listens on one port: config, cluster id, data, log, pid. */
export interface KafkaBrokerFiles {
  readonly stateDir: string;
  readonly serverProperties: string;
  readonly clusterIdFile: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

/**
 * One state folder per client port, so that a test run on other ports never shares a data directory
 * (and its lock) with the broker a developer keeps running on 9092.
 */
export function kafkaBrokerFiles(port: number): KafkaBrokerFiles {
  const stateDir = cacheDir('services', `kafka-${port}`);
  return {
    stateDir,
    serverProperties: join(stateDir, 'server.properties'),
    clusterIdFile: join(stateDir, 'cluster-id'),
    dataDir: join(stateDir, 'data'),
    logFile: join(stateDir, 'kafka.log'),
    pidFile: join(stateDir, 'kafka.pid'),
  };
}

/**
 * The broker's `server.properties`: one node that is both broker and KRaft controller, listening on
 * loopback only, with the replication factors a single node can satisfy.
 */
export function kafkaServerProperties(settings: {
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
}): string {
  const lines: Array<[string, string | number]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@${loopbackHost}:${settings.controllerPort}`],
    [
      'listeners',
      `PLAINTEXT://${loopbackHost}:${settings.port},CONTROLLER://${loopbackHost}:${settings.controllerPort}`,
    ],
    ['advertised.listeners', `PLAINTEXT://${loopbackHost}:${settings.port}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['log.dirs', settings.dataDir],
    // Topics are created on purpose (by the CLI, the tests, the pipeline's setup), never by a typo
    // in a producer's topic name.
    ['auto.create.topics.enable', 'false'],
    ['num.partitions', 1],
    // One node: the internal topics cannot have more replicas than that.
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    // The default 50 partitions of __consumer_offsets cost seconds and file handles on a laptop and
    // buy nothing on one node.
    ['offsets.topic.num.partitions', 1],
    // Consumers in tests join at once instead of waiting 3 s for more members.
    ['group.initial.rebalance.delay.ms', 0],
  ];
  return `${lines.map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

/**
 * A Kafka cluster id: 16 random bytes in unpadded base64url, as `kafka-storage random-uuid` makes
 * them. Kafka avoids ids that begin with "-" (a command line would read them as an option).
 */
export function newKafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * True when a Kafka broker answers a metadata request on `brokers` (any Kafka-protocol broker: this
 * project's, or Redpanda from the compose profile).
 */
export async function kafkaBrokerAnswers(brokers: string, timeoutMs = 3_000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'spotify-pipeline-local-probe',
    brokers: [brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    // A refused connection is an expected answer here; kafkajs would log it as an error.
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch (error) {
    if (error instanceof Error && error.name.startsWith('KafkaJS')) return false;
    throw error;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts a single-node KRaft broker from the cached jars (installing them first if needed), unless a
 * broker already answers on the port. Resolves once the broker answers a metadata request.
 */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<ServiceStart> {
  const brokers = kafkaBrokersForPort(options.port);
  const files = kafkaBrokerFiles(options.port);
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  return startRecordedService({
    endpoint: brokers,
    logFile: files.logFile,
    pidFile: files.pidFile,
    answers: () => kafkaBrokerAnswers(brokers),
    waitUntilAnswers: (exitStatus) => waitForBroker(brokers, files.logFile, startTimeoutMs, exitStatus),
    reportStarted: (pid) =>
      options.reportProgress(`started Kafka (pid ${pid}); waiting for it to answer on ${brokers}`),
    prepare: async () => {
      await ensurePortsFree([
        { port: options.port, purpose: 'Kafka client (PLAINTEXT) listener', option: '--kafka-port' },
        {
          port: options.controllerPort,
          purpose: 'Kafka controller listener',
          option: '--kafka-controller-port',
        },
      ]);
      const installation = await ensureKafkaInstalled(options.reportProgress);
      writeFileSync(
        files.serverProperties,
        kafkaServerProperties({
          port: options.port,
          controllerPort: options.controllerPort,
          dataDir: files.dataDir,
        }),
      );
      const classpath = join(installation.libsDir, '*');
      await formatStorageOnce(installation.javaCommand, classpath, files, options.reportProgress);
      return {
        command: installation.javaCommand,
        args: [
          // Enough for a development broker; the JVM's default would take a quarter of the machine.
          '-Xms128m',
          '-Xmx512m',
          '-Djava.awt.headless=true',
          `-Dlog4j.configuration=file:${kafkaLog4jFile}`,
          '-cp',
          classpath,
          'kafka.Kafka',
          files.serverProperties,
        ],
        logFile: files.logFile,
        pidFile: files.pidFile,
        commandMarker: 'kafka.Kafka',
        cwd: files.stateDir,
      };
    },
  });
}

/** Stops the broker this project started on `port`, if any (SIGTERM, then SIGKILL after 30 s). */
export function stopKafkaBroker(port: number): Promise<StopOutcome> {
  // A controlled shutdown moves leadership and flushes logs before the broker exits: give it time.
  return stopRecordedProcess(kafkaBrokerFiles(port).pidFile, 30_000);
}

async function formatStorageOnce(
  javaCommand: string,
  classpath: string,
  files: KafkaBrokerFiles,
  reportProgress: (line: string) => void,
): Promise<void> {
  // meta.properties is what StorageTool writes; its presence means the folder is formatted.
  if (existsSync(join(files.dataDir, 'meta.properties'))) return;
  if (!existsSync(files.clusterIdFile)) writeFileSync(files.clusterIdFile, `${newKafkaClusterId()}\n`);
  const clusterId = readFileSync(files.clusterIdFile, 'utf8').trim();
  reportProgress(`formatting Kafka's data folder ${files.dataDir} (cluster id ${clusterId})`);
  try {
    await execFileAsync(javaCommand, [
      `-Dlog4j.configuration=file:${kafkaLog4jFile}`,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      files.serverProperties,
      '--ignore-formatted',
    ]);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new LocalServiceError(
      `could not format Kafka's data folder ${files.dataDir}: ${[stdout, stderr].join('\n').trim() || (error as Error).message}`,
      `delete ${files.stateDir} (it holds only local test data) and run the command again`,
    );
  }
}

function waitForBroker(
  brokers: string,
  logFile: string,
  timeoutMs: number,
  exitStatus: () => string | undefined,
): Promise<void> {
  return waitUntilServiceAnswers({
    service: 'the Kafka broker',
    endpoint: brokers,
    logFile,
    timeoutMs,
    intervalMs: 250,
    answers: () => kafkaBrokerAnswers(brokers),
    exitStatus,
    hintWhenExited: `read ${logFile}: a port in use, an old data folder or too little memory are the usual causes`,
    hintWhenSilent: `read ${logFile}; if it is still starting, run the command again (it waits for the running broker)`,
  });
}

interface PortClaim {
  readonly port: number;
  readonly purpose: string;
  readonly option: string;
}

/** Fails with a clear message when another program holds a port the broker needs. */
async function ensurePortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (await isPortAcceptingConnections(loopbackHost, claim.port)) {
      throw new LocalServiceError(
        `port ${claim.port} on ${loopbackHost} (${claim.purpose}) is taken by a program that is not a Kafka broker`,
        `stop that program (find it with: lsof -i :${claim.port}) or choose another port with ${claim.option}`,
      );
    }
  }
}
