import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type ComposeS3Server,
  type ComposeServiceStart,
  type ComposeServiceStop,
  composeProjectName,
  composeRunningServices,
  composeS3Servers,
  redpandaConsoleUrl,
  startComposeStack,
  stopComposeStack,
} from '../../../local/services/compose-stack.js';
import { type DockerProbe, probeDocker } from '../../../local/services/docker-probe.js';
import { defaultLocalPorts, parsePort } from '../../../local/services/endpoints.js';
import {
  chooseLocalEngine,
  enginesToStop,
  type LocalEngineRequest,
  localEngineRequests,
} from '../../../local/services/local-engine.js';
import {
  formatServiceStatus,
  type LocalServiceStart,
  type LocalServiceStop,
  type LocalStackPorts,
  localStackStatus,
  resolveLocalStackPorts,
  startLocalStack,
  stopLocalStack,
} from '../../../local/services/local-stack.js';

/** Environment variables that move the local services to other ports (read here, in the CLI only). */
export const localPortEnvironmentVariables = {
  kafkaPort: 'SPOTIFY_PIPELINE_KAFKA_PORT',
  kafkaControllerPort: 'SPOTIFY_PIPELINE_KAFKA_CONTROLLER_PORT',
  s3Port: 'SPOTIFY_PIPELINE_S3_PORT',
} as const;

/** Environment variables that choose the engine and compose's S3 server, as the options do. */
export const localEngineEnvironmentVariables = {
  engine: 'SPOTIFY_PIPELINE_LOCAL_ENGINE',
  composeS3: 'SPOTIFY_PIPELINE_COMPOSE_S3',
} as const;

export interface PortOptions {
  readonly kafkaPort?: number;
  readonly kafkaControllerPort?: number;
  readonly s3Port?: number;
}

interface EngineOptions extends PortOptions {
  readonly engine: LocalEngineRequest;
}

interface UpOptions extends EngineOptions {
  readonly composeS3: ComposeS3Server;
}

/**
 * `spotify-pipeline local up|down|status`: the Kafka broker and the S3 server that the pipeline and
 * the integration tests use, from compose.yaml where Docker can run it, else without Docker. Which
 * engine is decided by chooseLocalEngine from a quick probe of Docker (or by --engine).
 */
export function localCommand(): Command {
  const local = new Command('local').description(
    'Run the local services, a Kafka API on 127.0.0.1:9092 and an S3 API on http://127.0.0.1:4566: with Docker compose (Redpanda, MinIO or LocalStack) where a Docker engine answers, else without Docker (Kafka from Maven Central jars, moto).',
  );

  withEngineOption(withPortOptions(local.command('up')))
    .addOption(
      new Option(
        '--compose-s3 <server>',
        "the compose engine's S3 server: minio (token-free) or localstack (S3 and Secrets Manager)",
      )
        .choices(composeS3Servers)
        .env(localEngineEnvironmentVariables.composeS3)
        .default('minio'),
    )
    .description(
      'Start the services (the first time: install them into .cache/, or pull the images); leave alone those already running.',
    )
    .action(async (options: UpOptions) => {
      const reportProgress = (line: string) => process.stderr.write(`${line}\n`);
      const choice = chooseLocalEngine(options.engine, await probeFor(options.engine));
      reportProgress(`engine: ${choice.engine} (${choice.reason})`);
      if (choice.engine === 'native') {
        const stack = await startLocalStack({ ...portsFrom(options), reportProgress });
        for (const service of stack.services) process.stdout.write(`${describeStart(service)}\n`);
        return;
      }
      const ports = resolveLocalStackPorts(portsFrom(options));
      const services = await startComposeStack({
        kafkaPort: ports.kafkaPort,
        s3Port: ports.s3Port,
        s3Server: options.composeS3,
        reportProgress: (line) => reportProgress(`compose: ${line}`),
      });
      for (const service of services) process.stdout.write(`${describeComposeStart(service)}\n`);
      reportProgress(`Redpanda Console (the Kafka UI): ${redpandaConsoleUrl}`);
    });

  withEngineOption(withPortOptions(local.command('down')))
    .description(
      'Stop what `local up` started: its processes, or its compose project (under auto: whichever runs). A service started another way is left alone.',
    )
    .action(async (options: EngineOptions) => {
      const probe = await probeFor(options.engine);
      // An explicit --engine compose on a machine that cannot run it is an error, as it is for up.
      if (options.engine === 'compose') chooseLocalEngine('compose', probe);
      for (const engine of enginesToStop(options.engine, probe)) {
        const lines =
          engine === 'native'
            ? (await stopLocalStack(portsFrom(options))).map(describeStop)
            : (await stopCompose(options)).map(describeComposeStop);
        for (const line of lines) process.stdout.write(`${line}\n`);
      }
    });

  withEngineOption(withPortOptions(local.command('status')))
    .description(
      'Print one line per service: name, endpoint, running, unresponsive (its process or container runs but does not answer) or stopped, and who serves it (native, compose, or other).',
    )
    .action(async (options: EngineOptions) => {
      const statuses = await (async () => {
        const probe = await probeFor(options.engine);
        // Compose is asked only where it can answer; under `--engine compose` an engine that
        // cannot is an error, as for up and down.
        const composeCanAnswer =
          options.engine !== 'native' && chooseLocalEngine(options.engine, probe).engine === 'compose';
        const ports = resolveLocalStackPorts(portsFrom(options));
        const composeRunning = composeCanAnswer
          ? await composeRunningServices({ kafkaPort: ports.kafkaPort, s3Port: ports.s3Port })
          : new Set<string>();
        return localStackStatus(portsFrom(options), composeRunning);
      })();
      for (const status of statuses) process.stdout.write(`${formatServiceStatus(status)}\n`);
    });

  // runCli turns a thrown CommanderError into an exit code; without the override a subcommand that
  // was added with addCommand would call process.exit itself on a usage error.
  for (const command of [local, ...local.commands]) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
  }
  return local;
}

function withEngineOption(command: Command): Command {
  return command.addOption(
    new Option(
      '--engine <engine>',
      'what runs the services: compose (Docker), native (no Docker), or auto: compose where a Docker engine answers and docker compose is installed, else native',
    )
      .choices(localEngineRequests)
      .env(localEngineEnvironmentVariables.engine)
      .default('auto'),
  );
}

/** Asks Docker only when the answer matters: `native` never needs it. */
function probeFor(request: LocalEngineRequest): Promise<DockerProbe | undefined> {
  return request === 'native' ? Promise.resolve(undefined) : probeDocker();
}

function stopCompose(options: PortOptions): Promise<ComposeServiceStop[]> {
  const ports = resolveLocalStackPorts(portsFrom(options));
  return stopComposeStack({
    kafkaPort: ports.kafkaPort,
    s3Port: ports.s3Port,
    reportProgress: (line) => process.stderr.write(`compose: ${line}\n`),
  });
}

/** `--kafka-port`, `--kafka-controller-port`, `--s3-port`, each also read from its environment variable. */
export function withPortOptions(command: Command): Command {
  return command
    .addOption(portOption('--kafka-port <port>', 'Kafka client port', defaultLocalPorts.kafka, 'kafkaPort'))
    .addOption(
      portOption(
        '--kafka-controller-port <port>',
        'Kafka KRaft controller port (default: 9093, or the Kafka port + 1 when that is not 9092)',
        undefined,
        'kafkaControllerPort',
      ),
    )
    .addOption(portOption('--s3-port <port>', 'S3 API port', defaultLocalPorts.s3, 's3Port'));
}

function portOption(
  flags: string,
  description: string,
  defaultPort: number | undefined,
  key: keyof typeof localPortEnvironmentVariables,
): Option {
  const option = new Option(flags, description)
    .env(localPortEnvironmentVariables[key])
    .argParser((value: string) => {
      try {
        return parsePort(value, flags);
      } catch (error) {
        // Commander's message already names the option or environment variable and the value.
        if (error instanceof RangeError)
          throw new InvalidArgumentError('A port is a whole number from 1 to 65535.');
        throw error;
      }
    });
  return defaultPort === undefined ? option : option.default(defaultPort);
}

export function portsFrom(options: PortOptions): LocalStackPorts {
  return {
    kafkaPort: options.kafkaPort,
    kafkaControllerPort: options.kafkaControllerPort,
    s3Port: options.s3Port,
  };
}

function describeStart(service: LocalServiceStart): string {
  const where = `${service.name} ${service.endpoint}`;
  if (!service.startedNow) return `${where} already running`;
  const seconds = ((service.startMs ?? 0) / 1000).toFixed(1);
  return `${where} started (pid ${service.pid}, answered after ${seconds} s; log: ${service.logFile})`;
}

function describeStop(stop: LocalServiceStop): string {
  const where = `${stop.name} ${stop.endpoint}`;
  switch (stop.outcome) {
    case 'stopped':
      return `${where} stopped`;
    case 'killed':
      return `${where} killed (it did not stop within its grace period after SIGTERM)`;
    case 'not-running':
      return `${where} has no process started by \`local up\`; nothing to stop`;
  }
}

function describeComposeStart(service: ComposeServiceStart): string {
  const where = `${service.name} ${service.endpoint}`;
  const served = `compose service ${service.composeService}, project ${composeProjectName}`;
  return service.startedNow ? `${where} started (${served})` : `${where} already running (${served})`;
}

function describeComposeStop(stop: ComposeServiceStop): string {
  const where = `${stop.name} ${stop.endpoint}`;
  return stop.outcome === 'stopped'
    ? `${where} stopped (compose service ${stop.composeService}, project ${composeProjectName})`
    : `${where} has no container in compose project ${composeProjectName}; nothing to stop`;
}
