import { randomUUID } from 'node:crypto';
import { CompressionTypes, logLevel, type Message } from 'kafkajs';
import { ensureTopic } from '../lambdas/producer/ensure-topic.js';
import { partitionKeyForLine, produceEvents } from '../lambdas/producer/event-producer.js';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { unpaced } from '../lambdas/producer/pacers.js';
import { connectKafka } from '../lambdas/shared/kafka/kafka-connection.js';
import type { BenchFigure } from './bench-figure.js';
import { benchServices } from './support/local-stack-for-bench.js';

const EVENTS = 200_000;
const BATCH = 1_000;

/**
 * The producer against a bare kafkajs sendBatch loop on the same broker, same run, same messages
 * and the same producer settings (idempotent, gzip, acks from all replicas, 1,000 a request):
 * what the producer adds (reading keys, batching, pacing, reporting) should cost little.
 */
export async function run(): Promise<readonly BenchFigure[]> {
  const { kafkaBrokers } = await benchServices();
  const kafka = connectKafka({
    brokers: [kafkaBrokers],
    clientId: 'bench',
    auth: { kind: 'plaintext' },
    logLevel: logLevel.NOTHING,
  });
  const lines = [...generateEventLines({ seed: 5, count: EVENTS })].map((line) => line.text);

  const bareLoop = async () => {
    const topic = `bench-bare-${randomUUID()}`;
    await ensureTopic(kafka, topic, 6);
    const messages: Message[] = lines.map((line) => ({ key: partitionKeyForLine(line), value: line }));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const started = performance.now();
    for (let i = 0; i < messages.length; i += BATCH) {
      await producer.sendBatch({
        topicMessages: [{ topic, messages: messages.slice(i, i + BATCH) }],
        compression: CompressionTypes.GZIP,
        acks: -1,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    await producer.disconnect();
    return EVENTS / seconds;
  };
  const producer = async () => {
    const topic = `bench-producer-${randomUUID()}`;
    await ensureTopic(kafka, topic, 6);
    const started = performance.now();
    await produceEvents({ kafka, topic, lines, pacer: unpaced, maxBatchMessages: BATCH });
    return EVENTS / ((performance.now() - started) / 1000);
  };

  // Alternate and keep the best of each, so that a noisy moment does not pick the winner.
  let bestBare = 0;
  let bestProducer = 0;
  for (let round = 0; round < 5; round++) {
    if (round % 2 === 0) {
      bestBare = Math.max(bestBare, await bareLoop());
      bestProducer = Math.max(bestProducer, await producer());
    } else {
      bestProducer = Math.max(bestProducer, await producer());
      bestBare = Math.max(bestBare, await bareLoop());
    }
  }
  return [
    {
      name: 'producer.events_per_s',
      value: bestProducer,
      unit: 'events/s',
      baseline: { name: 'bare kafkajs sendBatch loop', value: bestBare, unit: 'events/s' },
      target: '>= 0.9 of the baseline',
    },
  ];
}
