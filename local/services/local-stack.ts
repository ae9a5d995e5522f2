import { composeKafkaService, composeS3Servers } from './compose-stack.js';
import { defaultLocalPorts, kafkaBrokersForPort, s3EndpointForPort } from './endpoints.js';
import { kafkaBrokerAnswers, kafkaBrokerFiles, startKafkaBroker, stopKafkaBroker } from './kafka-broker.js';
import type { LocalEngine } from './local-engine.js';
import { LocalServiceError } from './local-service-error.js';
import { isServiceProcessRunning, type ServiceStart, type StopOutcome } from './process-control.js';
import { s3ServerAnswers, s3ServerFiles, startS3Server, stopS3Server } from './s3-server.js';

/** The services of the local stack. */
export type LocalServiceName = 'kafka' | 's3';

/** Every service, in the order they are reported. */
export const localServiceNames: readonly LocalServiceName[] = ['kafka', 's3'];

/** Which ports the local stack uses. Callers read overrides (options, environment) and pass them here. */
export interface LocalStackPorts {
  /**
   * Kafka's client (PLAINTEXT) listener.
   * @default 9092
   */
  readonly kafkaPort?: number;
  /**
   * Kafka's KRaft controller listener.
   * @default 9093
   */
  readonly kafkaControllerPort?: number;
  /**
   * The S3 API.
   * @default 4566
   */
  readonly s3Port?: number;
}

/** Options of {@link startLocalStack}. */
export interface StartLocalStackOptions extends LocalStackPorts {
  /**
   * Receives one line per first-time install or start step; the CLI writes them to stderr.
   * @default - progress is not reported
   */
  readonly reportProgress?: (line: string) => void;
}

/** What {@link startLocalStack} found or did for one service. */
export interface LocalServiceStart extends ServiceStart {
  readonly name: LocalServiceName;
}

/** The endpoints of a running local stack, plus what happened to each service. */
export interface LocalStackEndpoints {
  /** `127.0.0.1:9092`: the `brokers` entry for kafkajs. */
  readonly kafkaBrokers: string;
  /** `http://127.0.0.1:4566`: the `endpoint` for an S3 client with `forcePathStyle: true`. */
  readonly s3Endpoint: string;
  readonly services: readonly LocalServiceStart[];
}

/** One line of {@link localStackStatus}. */
export interface LocalServiceStatus {
  readonly name: LocalServiceName;
  readonly endpoint: string;
  /**
   * `running`: the service answers on its endpoint (whoever started it). `unresponsive`: it does not
   * answer, but the process `local up` started there still runs (starting, or hung: read its log).
   * `stopped`: neither.
   */
  readonly state: 'running' | 'unresponsive' | 'stopped';
  /**
   * Who serves it, when it runs or its process or container does: `native` (a process `local up`
   * started), `compose` (a container of the compose project) or `other` (it answers, but neither
   * started it). Absent when stopped.
   */
  readonly servedBy?: LocalEngine | 'other';
}

/** What {@link stopLocalStack} did for one service. */
export interface LocalServiceStop {
  readonly name: LocalServiceName;
  readonly endpoint: string;
  /** `not-running`: no process that this project started was running on that port. */
  readonly outcome: StopOutcome;
}

/** The ports the stack uses: the given ones, else the defaults (see {@link LocalStackPorts}). */
export function resolveLocalStackPorts(ports: LocalStackPorts): Required<LocalStackPorts> {
  const kafkaPort = ports.kafkaPort ?? defaultLocalPorts.kafka;
  return {
    kafkaPort,
    // A custom client port without a custom controller port gets the next port, so that a second
    // stack (a test run beside a developer's stack) needs only one option.
    kafkaControllerPort:
      ports.kafkaControllerPort ??
      (kafkaPort === defaultLocalPorts.kafka ? defaultLocalPorts.kafkaController : kafkaPort + 1),
    s3Port: ports.s3Port ?? defaultLocalPorts.s3,
  };
}

/**
 * Installs (once, into `.cache/`) and starts a Kafka broker and an S3 server on loopback, leaving
 * alone any service that already answers on its endpoint. Resolves when both answer.
 *
 * @throws LocalServiceError when a tool is missing, an install fails, a port is taken by another
 *   program, or a service does not answer in time (the message names its log file)
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStackEndpoints> {
  const ports = resolveLocalStackPorts(options);
  const reportProgress = options.reportProgress ?? (() => undefined);
  // Both installs are mostly waiting on the network and on other processes: run them side by side.
  const [kafka, s3] = await Promise.allSettled([
    startKafkaBroker({
      port: ports.kafkaPort,
      controllerPort: ports.kafkaControllerPort,
      reportProgress: (line) => reportProgress(`kafka: ${line}`),
    }),
    startS3Server({ port: ports.s3Port, reportProgress: (line) => reportProgress(`s3: ${line}`) }),
  ]);
  if (kafka.status === 'rejected' || s3.status === 'rejected') throw startFailure(kafka, s3);
  return {
    kafkaBrokers: kafka.value.endpoint,
    s3Endpoint: s3.value.endpoint,
    services: [
      { name: 'kafka', ...kafka.value },
      { name: 's3', ...s3.value },
    ],
  };
}

/**
 * One error for one or two failed starts. The service that did start keeps running (`local up` again
 * reuses it, `local down` stops it), and the message says so.
 */
function startFailure(
  kafka: PromiseSettledResult<ServiceStart>,
  s3: PromiseSettledResult<ServiceStart>,
): Error {
  const failures: unknown[] = [kafka, s3].flatMap((result) =>
    result.status === 'rejected' ? [result.reason] : [],
  );
  // A bug, not a service problem: let it through with its stack trace.
  const unexpected = failures.find((failure) => !(failure instanceof LocalServiceError));
  if (unexpected !== undefined)
    return unexpected instanceof Error ? unexpected : new Error(String(unexpected));
  const serviceFailures = failures.filter((failure) => failure instanceof LocalServiceError);
  const running = [
    ...(kafka.status === 'fulfilled' ? [`kafka on ${kafka.value.endpoint}`] : []),
    ...(s3.status === 'fulfilled' ? [`s3 on ${s3.value.endpoint}`] : []),
  ];
  const runningNote = running.length > 0 ? `\n(still running: ${running.join(', ')})` : '';
  return new LocalServiceError(
    `${serviceFailures.map((failure) => failure.message).join('\n')}${runningNote}`,
    serviceFailures.map((failure) => failure.hint).join('; '),
  );
}

/** Options of {@link stopLocalStack}. */
export interface StopLocalStackOptions extends LocalStackPorts {
  /**
   * Which services to stop.
   * @default - all of them
   */
  readonly services?: readonly LocalServiceName[];
}

/**
 * Stops the services that this project started on the given ports (found through their pid files
 * in `.cache/services/`). A service started some other way (the compose profile) is left alone.
 */
export async function stopLocalStack(options: StopLocalStackOptions = {}): Promise<LocalServiceStop[]> {
  const ports = resolveLocalStackPorts(options);
  const wanted = new Set(options.services ?? localServiceNames);
  const stops: Promise<LocalServiceStop>[] = [];
  if (wanted.has('kafka')) {
    stops.push(
      stopKafkaBroker(ports.kafkaPort).then((outcome) => ({
        name: 'kafka',
        endpoint: kafkaBrokersForPort(ports.kafkaPort),
        outcome,
      })),
    );
  }
  if (wanted.has('s3')) {
    stops.push(
      stopS3Server(ports.s3Port).then((outcome) => ({
        name: 's3',
        endpoint: s3EndpointForPort(ports.s3Port),
        outcome,
      })),
    );
  }
  return Promise.all(stops);
}

/**
 * Whether each service answers on its endpoint now and who serves it, in {@link localServiceNames}
 * order.
 *
 * @param composeRunning the compose services that run now ({@link composeRunningServices}); leave it
 *   out where no Docker engine answers, and nothing is taken to be served by compose
 */
export async function localStackStatus(
  ports: LocalStackPorts = {},
  composeRunning: ReadonlySet<string> = new Set(),
): Promise<LocalServiceStatus[]> {
  const resolved = resolveLocalStackPorts(ports);
  const kafkaBrokers = kafkaBrokersForPort(resolved.kafkaPort);
  const s3Endpoint = s3EndpointForPort(resolved.s3Port);
  const [kafka, s3] = await Promise.all([
    serviceState(
      kafkaBrokerAnswers(kafkaBrokers),
      isServiceProcessRunning(kafkaBrokerFiles(resolved.kafkaPort).pidFile),
      composeRunning.has(composeKafkaService),
    ),
    serviceState(
      s3ServerAnswers(s3Endpoint),
      isServiceProcessRunning(s3ServerFiles(resolved.s3Port).pidFile),
      composeS3Servers.some((server) => composeRunning.has(server)),
    ),
  ]);
  return [
    { name: 'kafka', endpoint: kafkaBrokers, ...kafka },
    { name: 's3', endpoint: s3Endpoint, ...s3 },
  ];
}

async function serviceState(
  answers: Promise<boolean>,
  nativeProcessRuns: Promise<boolean>,
  composeContainerRuns: boolean,
): Promise<Pick<LocalServiceStatus, 'state' | 'servedBy'>> {
  const [answering, nativeRuns] = await Promise.all([answers, nativeProcessRuns]);
  const servedBy = nativeRuns ? 'native' : composeContainerRuns ? 'compose' : answering ? 'other' : undefined;
  if (answering) return { state: 'running', servedBy };
  return servedBy === undefined ? { state: 'stopped' } : { state: 'unresponsive', servedBy };
}

/**
 * `kafka 127.0.0.1:9092 running native`: name, endpoint, state and, unless stopped, who serves it
 * ({@link LocalServiceStatus.servedBy}), separated by single spaces.
 */
export function formatServiceStatus(status: LocalServiceStatus): string {
  const fields = [status.name, status.endpoint, status.state, status.servedBy];
  return fields.filter((field) => field !== undefined).join(' ');
}
