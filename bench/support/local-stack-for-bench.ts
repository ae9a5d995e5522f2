import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parsePort } from '../../local/services/endpoints.js';
import {
  type LocalServiceName,
  type LocalStackPorts,
  startLocalStack,
  stopLocalStack,
} from '../../local/services/local-stack.js';

const startedByBenchmarks = new Set<LocalServiceName>();

/**
 * Benchmarks that need Kafka or S3 use the project's own local services, started (and installed the
 * first time) as `spotify-pipeline local up` would; services already running are reused and left so.
 */
export async function benchServices(): Promise<{ kafkaBrokers: string; s3Endpoint: string }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stack = await startLocalStack({
    ...benchPorts(),
    reportProgress: (line) => process.stderr.write(`[local services] ${line}\n`),
  });
  for (const service of stack.services) if (service.startedNow) startedByBenchmarks.add(service.name);
  return { kafkaBrokers: stack.kafkaBrokers, s3Endpoint: stack.s3Endpoint };
}

/** Stops the services the benchmarks started, leaving any that were running before. */
export async function stopBenchServices(): Promise<void> {
  if (startedByBenchmarks.size > 0)
    await stopLocalStack({ ...benchPorts(), services: [...startedByBenchmarks] });
  startedByBenchmarks.clear();
}

export function benchS3(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
}

export async function newBucket(s3: S3Client, name: string): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/**
 * The ports the CLI and the test run honour (SPOTIFY_PIPELINE_KAFKA_PORT, _KAFKA_CONTROLLER_PORT,
 * _S3_PORT), so that a benchmark beside another checkout's stack does not take its default ports.
 */
function benchPorts(): LocalStackPorts {
  const read = (name: string) => {
    const text = process.env[name];
    return text === undefined || text === '' ? undefined : parsePort(text, name);
  };
  return {
    kafkaPort: read('SPOTIFY_PIPELINE_KAFKA_PORT'),
    kafkaControllerPort: read('SPOTIFY_PIPELINE_KAFKA_CONTROLLER_PORT'),
    s3Port: read('SPOTIFY_PIPELINE_S3_PORT'),
  };
}
