import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../tooling/cache-dir.js';
import { kafkaBrokersForPort, s3EndpointForPort } from './endpoints.js';
import { kafkaBrokerAnswers } from './kafka-broker.js';
import { LocalServiceError } from './local-service-error.js';
import { waitFor } from './process-control.js';
import { s3ServerAnswers } from './s3-server.js';

/** The compose file at the top of the repository. */
export const composeFile = join(repositoryRoot, 'compose.yaml');

/** One project name, so that `down` and `status` find what `up` started from any working directory. */
export const composeProjectName = 'spotify-pipeline';

/** The S3 servers of compose.yaml; each is also the name of its profile. */
export type ComposeS3Server = 'minio' | 'localstack';

export const composeS3Servers: readonly ComposeS3Server[] = ['minio', 'localstack'];

/** The compose service that serves Kafka. */
export const composeKafkaService = 'redpanda';

/** Where compose.yaml publishes the Redpanda Console (fixed: it is not an endpoint the pipeline uses). */
export const redpandaConsoleUrl = 'http://127.0.0.1:8080';

/** What a compose command line needs. */
export interface ComposeCommandSettings {
  /** @default {@link composeFile} */
  readonly composeFile?: string;
  readonly kafkaPort: number;
  readonly s3Port: number;
}

/** A `docker compose` run: the program, its arguments, and the variables to add to the environment. */
export interface ComposeInvocation {
  readonly command: 'docker';
  readonly args: readonly string[];
  /** compose.yaml reads the ports from these, so they are set on every run, not only on `up`. */
  readonly environment: Readonly<Record<string, string>>;
}

function invocation(settings: ComposeCommandSettings, profiles: readonly string[], subcommand: string[]) {
  return {
    command: 'docker',
    args: [
      'compose',
      '-f',
      settings.composeFile ?? composeFile,
      '-p',
      composeProjectName,
      ...profiles.flatMap((profile) => ['--profile', profile]),
      ...subcommand,
    ],
    environment: {
      SPOTIFY_PIPELINE_KAFKA_PORT: String(settings.kafkaPort),
      SPOTIFY_PIPELINE_S3_PORT: String(settings.s3Port),
    },
  } satisfies ComposeInvocation;
}

/**
 * `docker compose ... --profile <s3Server> up -d --wait`: Redpanda, its console and one S3 server,
 * in the background; returns once every started container's health check passes (or fails).
 */
export function composeUpCommand(settings: ComposeCommandSettings & { readonly s3Server: ComposeS3Server }) {
  return invocation(settings, [settings.s3Server], ['up', '-d', '--wait']);
}

/**
 * `docker compose ... down` with every profile enabled: whichever S3 server `up` chose is stopped
 * too (Compose leaves out the services of profiles that are not enabled). Named volumes are kept.
 */
export function composeDownCommand(settings: ComposeCommandSettings) {
  return invocation(settings, composeS3Servers, ['down']);
}

/** `docker compose ... ps --services --filter status=running`: one running service name per line. */
export function composeRunningServicesCommand(settings: ComposeCommandSettings) {
  return invocation(settings, composeS3Servers, ['ps', '--services', '--filter', 'status=running']);
}

/** The compose services that run now, from the output of {@link composeRunningServicesCommand}. */
export function parseRunningServices(output: string): Set<string> {
  return new Set(
    output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  );
}

/** What one `docker compose` run printed, and how it ended. */
interface ComposeRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a compose command line; `onOutputLine` sees its progress (image pulls, health waits) as it comes. */
function runCompose(run: ComposeInvocation, onOutputLine?: (line: string) => void): Promise<ComposeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.command, [...run.args], {
      env: { ...process.env, ...run.environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output[stream] += text;
        for (const line of text.split('\n')) if (line.trim() !== '') onOutputLine?.(line.trimEnd());
      });
    }
    child.once('error', (error) =>
      reject(
        new LocalServiceError(
          `could not run docker compose: ${error.message}`,
          'check that docker is installed and on the PATH, or use --engine native',
        ),
      ),
    );
    child.once('close', (exitCode) => resolve({ exitCode, ...output }));
  });
}

function failure(run: ComposeInvocation, result: ComposeRun, hint: string): LocalServiceError {
  const lastLines = `${result.stderr}${result.stdout}`.trim().split('\n').slice(-15).join('\n');
  return new LocalServiceError(
    `${run.command} ${run.args.join(' ')} exited with ${result.exitCode}:\n${lastLines}`,
    hint,
  );
}

/** The compose services of this project that run now. */
export async function composeRunningServices(settings: ComposeCommandSettings): Promise<Set<string>> {
  const run = composeRunningServicesCommand(settings);
  const result = await runCompose(run);
  if (result.exitCode !== 0)
    throw failure(run, result, 'check that docker compose works: docker compose version');
  return parseRunningServices(result.stdout);
}

/** What {@link startComposeStack} did for one of the pipeline's services. */
export interface ComposeServiceStart {
  readonly name: 'kafka' | 's3';
  readonly endpoint: string;
  /** The compose service that serves it: `redpanda`, `minio`, `localstack`. */
  readonly composeService: string;
  /** False when the container already ran before this `up`. */
  readonly startedNow: boolean;
}

/** Options of {@link startComposeStack}. */
export interface StartComposeStackOptions extends ComposeCommandSettings {
  readonly s3Server: ComposeS3Server;
  /** Receives docker compose's progress lines. */
  readonly reportProgress: (line: string) => void;
  /**
   * How long the endpoints may take to answer from this machine once Compose reports the
   * containers healthy (a published port can lag its container by a moment).
   * @default 30_000 ms
   */
  readonly answerTimeoutMs?: number;
}

/**
 * Starts compose.yaml's Redpanda, console and chosen S3 server (pulling images the first time), then
 * checks that Kafka and S3 answer on this machine's endpoints, as the pipeline will reach them.
 *
 * @throws LocalServiceError when docker compose fails (a port already taken, an image that cannot be
 *   pulled, a health check that never passes) or an endpoint does not answer
 */
export async function startComposeStack(options: StartComposeStackOptions): Promise<ComposeServiceStart[]> {
  const before = await composeRunningServices(options);
  const run = composeUpCommand(options);
  const result = await runCompose(run, options.reportProgress);
  if (result.exitCode !== 0) {
    throw failure(
      run,
      result,
      `read the output above; a port already taken is often the docker-free stack (spotify-pipeline local down --engine native), and LocalStack may need LOCALSTACK_AUTH_TOKEN (or choose --compose-s3 minio)`,
    );
  }
  const kafkaBrokers = kafkaBrokersForPort(options.kafkaPort);
  const s3Endpoint = s3EndpointForPort(options.s3Port);
  const timeoutMs = options.answerTimeoutMs ?? 30_000;
  const checks = [
    {
      name: 'kafka',
      endpoint: kafkaBrokers,
      composeService: composeKafkaService,
      answers: () => kafkaBrokerAnswers(kafkaBrokers),
    },
    {
      name: 's3',
      endpoint: s3Endpoint,
      composeService: options.s3Server,
      answers: () => s3ServerAnswers(s3Endpoint),
    },
  ] as const;
  for (const check of checks) {
    if (!(await waitFor(check.answers, timeoutMs, 500))) {
      throw new LocalServiceError(
        `compose reports ${check.composeService} healthy, but ${check.name} does not answer on ${check.endpoint} within ${timeoutMs / 1000} s`,
        `read its log: docker compose -p ${composeProjectName} logs ${check.composeService}`,
      );
    }
  }
  return checks.map(({ name, endpoint, composeService }) => ({
    name,
    endpoint,
    composeService,
    startedNow: !before.has(composeService),
  }));
}

/** What {@link stopComposeStack} did for one of the pipeline's services. */
export interface ComposeServiceStop {
  readonly name: 'kafka' | 's3';
  readonly endpoint: string;
  /** The compose service that served it, when one ran. */
  readonly composeService?: string;
  readonly outcome: 'stopped' | 'not-running';
}

/**
 * `docker compose down` for this project: stops and removes its containers and network, keeps the
 * named volumes (topics and buckets survive until the volumes are removed by hand).
 */
export async function stopComposeStack(
  options: ComposeCommandSettings & { readonly reportProgress: (line: string) => void },
): Promise<ComposeServiceStop[]> {
  const before = await composeRunningServices(options);
  const s3Service = composeS3Servers.find((server) => before.has(server));
  if (before.size > 0) {
    const run = composeDownCommand(options);
    const result = await runCompose(run, options.reportProgress);
    if (result.exitCode !== 0)
      throw failure(
        run,
        result,
        `read the output above, then try: docker compose -p ${composeProjectName} down`,
      );
  }
  return [
    {
      name: 'kafka',
      endpoint: kafkaBrokersForPort(options.kafkaPort),
      ...(before.has(composeKafkaService)
        ? { composeService: composeKafkaService, outcome: 'stopped' as const }
        : { outcome: 'not-running' as const }),
    },
    {
      name: 's3',
      endpoint: s3EndpointForPort(options.s3Port),
      ...(s3Service !== undefined
        ? { composeService: s3Service, outcome: 'stopped' as const }
        : { outcome: 'not-running' as const }),
    },
  ];
}
