import type { TestProject } from 'vitest/node';
import { parsePort } from '../../local/services/endpoints.js';
import { type LocalStackPorts, startLocalStack, stopLocalStack } from '../../local/services/local-stack.js';

declare module 'vitest' {
  /** What integration tests get from `inject(...)`. */
  export interface ProvidedContext {
    /** `127.0.0.1:9092` (or the port from SPOTIFY_PIPELINE_KAFKA_PORT): kafkajs `brokers` entry. */
    kafkaBrokers: string;
    /** `http://127.0.0.1:4566` (or SPOTIFY_PIPELINE_S3_PORT): S3 client `endpoint`. */
    s3Endpoint: string;
  }
}

/**
 * Starts the local Kafka broker and S3 server once for the integration run, installing them into
 * `.cache/` the first time. Services that already answer are reused and left running afterwards;
 * the teardown stops only what this setup started.
 */
export default async function setupLocalServices(project: TestProject): Promise<() => Promise<void>> {
  const ports = portsFromEnvironment(process.env);
  // The S3 probe runs in this (main) process, which the config's `env` does not reach; see the
  // note beside `env` in vitest.config.ts.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stack = await startLocalStack({
    ...ports,
    reportProgress: (line) => process.stderr.write(`[local services] ${line}\n`),
  });
  for (const service of stack.services) {
    const how = service.startedNow
      ? `started for this run in ${((service.startMs ?? 0) / 1000).toFixed(1)} s`
      : 'already running, reused';
    process.stderr.write(`[local services] ${service.name} ${service.endpoint}: ${how}\n`);
  }
  project.provide('kafkaBrokers', stack.kafkaBrokers);
  project.provide('s3Endpoint', stack.s3Endpoint);

  const startedHere = stack.services.filter((service) => service.startedNow).map((service) => service.name);
  return async () => {
    if (startedHere.length > 0) await stopLocalStack({ ...ports, services: startedHere });
  };
}

/** The test run honours the same port variables as the CLI, so both can point at one stack. */
function portsFromEnvironment(environment: NodeJS.ProcessEnv): LocalStackPorts {
  const read = (name: string) => {
    const text = environment[name];
    return text === undefined || text === '' ? undefined : parsePort(text, name);
  };
  return {
    kafkaPort: read('SPOTIFY_PIPELINE_KAFKA_PORT'),
    kafkaControllerPort: read('SPOTIFY_PIPELINE_KAFKA_CONTROLLER_PORT'),
    s3Port: read('SPOTIFY_PIPELINE_S3_PORT'),
  };
}
