import { Logger } from '@aws-lambda-powertools/logger';
import { connectKafka, type KafkaAuth, parseBrokerList } from '../shared/kafka/kafka-connection.js';
import {
  DEFAULT_EVENTS_TOPIC,
  DEFAULT_PARTITION_COUNT,
  DEFAULT_TOPIC_RETENTION_HOURS,
} from '../shared/kafka/pipeline-topic.js';
import { requiredEnvironment } from '../shared/runtime/required-environment.js';
import { ensureTopic } from './ensure-topic.js';
import { produceEvents } from './event-producer.js';
import { generateEventLines } from './generator/generate-events.js';
import { eventTimePacer, unpaced } from './pacers.js';

/**
 * The producer's entry point on ECS Fargate (the container's command). Settings come from the task
 * definition's environment, read and checked once here; SIGTERM (a deployment or scale-in) stops
 * taking new events and sends what was taken before the task exits.
 */
const logger = new Logger({ serviceName: 'event-producer' });

function settingsFromEnvironment(environment: NodeJS.ProcessEnv) {
  const { KAFKA_BROKERS } = requiredEnvironment(['KAFKA_BROKERS'], environment);
  const number = (name: string, fallback: number) => {
    const text = environment[name];
    const value = text === undefined || text === '' ? fallback : Number(text);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(`environment variable ${name}="${text}" must be a number ≥ 0`);
    return value;
  };
  const authKind = environment.KAFKA_AUTH ?? 'msk-iam';
  if (authKind !== 'msk-iam' && authKind !== 'plaintext') {
    throw new Error(`environment variable KAFKA_AUTH="${authKind}" must be msk-iam or plaintext`);
  }
  const auth: KafkaAuth =
    authKind === 'plaintext'
      ? { kind: 'plaintext' }
      : { kind: 'msk-iam', region: requiredEnvironment(['AWS_REGION'], environment).AWS_REGION };
  const retentionHours = number('TOPIC_RETENTION_HOURS', DEFAULT_TOPIC_RETENTION_HOURS);
  if (!Number.isInteger(retentionHours) || retentionHours < 1) {
    throw new Error(
      `environment variable TOPIC_RETENTION_HOURS="${environment.TOPIC_RETENTION_HOURS}" must be a whole number of hours, at least 1`,
    );
  }
  return {
    brokers: parseBrokerList(KAFKA_BROKERS),
    auth,
    topic: environment.KAFKA_TOPIC || DEFAULT_EVENTS_TOPIC,
    partitions: number('TOPIC_PARTITIONS', DEFAULT_PARTITION_COUNT),
    retentionHours,
    rate: number('EVENT_RATE', 1),
    users: number('CATALOGUE_USERS', 20),
    songs: number('CATALOGUE_SONGS', 6),
    // Each task draws its own events unless a seed is pinned.
    seed: number('GENERATOR_SEED', Math.floor(Math.random() * 2 ** 32)),
  };
}

async function main(): Promise<void> {
  const settings = settingsFromEnvironment(process.env);
  const kafka = connectKafka({
    brokers: settings.brokers,
    clientId: 'spotify-event-producer',
    auth: settings.auth,
  });
  const topic = await ensureTopic(kafka, settings.topic, settings.partitions, settings.retentionHours);
  logger.info('producing', {
    topic: settings.topic,
    topicWas: topic,
    rate: settings.rate,
    seed: settings.seed,
  });

  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info('stopping: sending what was taken, then exiting', { signal });
      stop.abort();
    });
  }
  const paced = settings.rate > 0;
  const lines = (function* () {
    for (const line of generateEventLines({
      seed: settings.seed,
      count: Number.MAX_SAFE_INTEGER,
      users: settings.users,
      songs: settings.songs,
      startMs: Date.now(),
      eventsPerSecond: paced ? settings.rate : undefined,
    })) {
      yield line.text;
    }
  })();
  const final = await produceEvents({
    kafka,
    topic: settings.topic,
    lines,
    pacer: paced ? eventTimePacer() : unpaced,
    signal: stop.signal,
    reporter: { throughput: (stats) => logger.info('throughput', { ...stats }) },
  });
  logger.info('stopped', { ...final });
}

main().catch((error: unknown) => {
  logger.error('the producer failed', error as Error);
  process.exitCode = 1;
});
