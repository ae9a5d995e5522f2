import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultLocalPorts, parsePort } from '../../../local/services/endpoints.js';
import { LocalServiceError } from '../../../local/services/local-service-error.js';
import {
  formatServiceStatus,
  type LocalServiceStart,
  type LocalServiceStop,
  type LocalStackPorts,
  localStackStatus,
  startLocalStack,
  stopLocalStack,
} from '../../../local/services/local-stack.js';
import { CliError } from '../cli-error.js';

/** Environment variables that move the local services to other ports (read here, in the CLI only). */
export const localPortEnvironmentVariables = {
  kafkaPort: 'SPOTIFY_PIPELINE_KAFKA_PORT',
  kafkaControllerPort: 'SPOTIFY_PIPELINE_KAFKA_CONTROLLER_PORT',
  s3Port: 'SPOTIFY_PIPELINE_S3_PORT',
} as const;

interface PortOptions {
  readonly kafkaPort?: number;
  readonly kafkaControllerPort?: number;
  readonly s3Port?: number;
}

/**
 * `spotify-pipeline local up|down|status`: the Kafka broker and the S3 server that the pipeline and
 * the integration tests use on a machine without Docker.
 */
export function localCommand(): Command {
  const local = new Command('local').description(
    'Run the local services without Docker: a Kafka broker (KRaft, from Maven Central jars) and an S3 server (moto), on 127.0.0.1.',
  );

  withPortOptions(local.command('up'))
    .description('Install (once, into .cache/) and start the services; leave alone those already running.')
    .action(async (options: PortOptions) => {
      const stack = await asCliErrors(() =>
        startLocalStack({
          ...portsFrom(options),
          reportProgress: (line) => process.stderr.write(`${line}\n`),
        }),
      );
      for (const service of stack.services) process.stdout.write(`${describeStart(service)}\n`);
    });

  withPortOptions(local.command('down'))
    .description('Stop the services that `local up` started (a service started another way is left alone).')
    .action(async (options: PortOptions) => {
      const stops = await asCliErrors(() => stopLocalStack(portsFrom(options)));
      for (const stop of stops) process.stdout.write(`${describeStop(stop)}\n`);
    });

  withPortOptions(local.command('status'))
    .description(
      'Print one line per service: name, endpoint, and running, unresponsive (its process runs but does not answer) or stopped.',
    )
    .action(async (options: PortOptions) => {
      const statuses = await asCliErrors(() => localStackStatus(portsFrom(options)));
      for (const status of statuses) process.stdout.write(`${formatServiceStatus(status)}\n`);
    });

  // runCli turns a thrown CommanderError into an exit code; without the override a subcommand that
  // was added with addCommand would call process.exit itself on a usage error.
  for (const command of [local, ...local.commands]) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
  }
  return local;
}

function withPortOptions(command: Command): Command {
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

function portsFrom(options: PortOptions): LocalStackPorts {
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

/** Lets the service layer's errors reach the user as CliErrors, hint included. */
async function asCliErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LocalServiceError) throw new CliError(error.message, error.hint);
    throw error;
  }
}
