import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, logLevel } from 'kafkajs';
import { ensureTopic } from '../lambdas/producer/ensure-topic.js';
import { partitionKeyForLine } from '../lambdas/producer/event-producer.js';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { connectKafka } from '../lambdas/shared/kafka/kafka-connection.js';
import { DEFAULT_SQL_DIR, readDuckDbCompatibilitySql } from '../lambdas/shared/warehouse/sql-files.js';
import { runLocalConsumer } from '../local/consumer/local-kafka-consumer.js';
import { localRunId } from '../local/pipeline/local-run-id.js';
import { runPipelineOnce } from '../local/pipeline/run-pipeline-once.js';
import { openDuckDbWarehouse } from '../local/warehouse/duckdb-warehouse.js';
import type { BenchFigure } from './bench-figure.js';
import { benchS3, benchServices, newBucket } from './support/local-stack-for-bench.js';

/** Events sent each second, at a steady rate. */
const EVENTS_PER_SECOND = 20;
/** The pipeline's cycle: a run (load the lake's new files, then transform) starts every minute. */
const CYCLE_MS = 60_000;
/** Cycles with events being sent; two more follow, to bring in the last ones. */
const PRODUCING_CYCLES = Number(process.env.BENCH_FRESHNESS_CYCLES ?? 4);
/** The local consumer's batching window, as the MSK event source's (ingestion.maxBatchingWindowSeconds). */
const BATCHING_WINDOW_MS = 5_000;

/**
 * Freshness end to end on the local pipeline: events sent to Kafka at a steady rate, the local
 * consumer writing the lake as the event source would, and a run every minute. An event is in gold
 * when the run whose batch took it has committed its last model: its freshness is that moment less
 * the moment it was sent. The p50 and p95 over every event sent, beside the cycle.
 */
export async function run(): Promise<readonly BenchFigure[]> {
  const { kafkaBrokers, s3Endpoint } = await benchServices();
  const kafka = connectKafka({
    brokers: [kafkaBrokers],
    clientId: 'bench-freshness',
    auth: { kind: 'plaintext' },
    logLevel: logLevel.NOTHING,
  });
  const topic = `bench-freshness-${randomUUID()}`;
  await ensureTopic(kafka, topic, 3);
  const s3 = benchS3(s3Endpoint);
  const bucket = await newBucket(s3, `bench-freshness-${randomUUID().slice(0, 8)}`);
  const folder = mkdtempSync(join(tmpdir(), 'bench-freshness-'));
  const warehouse = await openDuckDbWarehouse(
    join(folder, 'warehouse.duckdb'),
    readDuckDbCompatibilitySql(DEFAULT_SQL_DIR),
  );
  const stopConsuming = new AbortController();
  const consuming = runLocalConsumer({
    kafka,
    topic,
    groupId: `bench-freshness-${randomUUID()}`,
    lake: { s3, bucket },
    batchSize: 10_000,
    maxWaitMs: BATCHING_WINDOW_MS,
    untilIdle: false,
    signal: stopConsuming.signal,
  });
  const sentAt = new Map<string, number>();
  const freshnessMs: number[] = [];
  try {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const lines = generateEventLines({
      seed: 17,
      count: (EVENTS_PER_SECOND * (PRODUCING_CYCLES * CYCLE_MS)) / 1000,
      startMs: Date.now(),
      eventsPerSecond: EVENTS_PER_SECOND,
    })[Symbol.iterator]();
    const started = Date.now();
    const producing = (async () => {
      for (let second = 1; Date.now() - started < PRODUCING_CYCLES * CYCLE_MS; second++) {
        const batch = Array.from({ length: EVENTS_PER_SECOND }, () => lines.next().value!.text);
        await producer.sendBatch({
          topicMessages: [
            { topic, messages: batch.map((line) => ({ key: partitionKeyForLine(line), value: line })) },
          ],
          compression: CompressionTypes.GZIP,
          acks: -1,
        });
        const now = Date.now();
        for (const line of batch) sentAt.set((JSON.parse(line) as { event_id: string }).event_id, now);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, started + second * 1000 - Date.now())),
        );
      }
      await producer.disconnect();
    })();
    for (let cycle = 1; cycle <= PRODUCING_CYCLES + 2; cycle++) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, started + cycle * CYCLE_MS - Date.now())),
      );
      const runId = localRunId('run');
      await runPipelineOnce({ warehouse, s3, bucket, runId });
      const inGold = Date.now();
      const taken = await warehouse.query<{ event_id: string }>(
        'SELECT event_id FROM silver.listening_events WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)',
        [runId],
      );
      for (const { event_id } of taken) {
        const sent = sentAt.get(event_id);
        if (sent !== undefined) freshnessMs.push(inGold - sent);
      }
    }
    await producing;
  } finally {
    stopConsuming.abort();
    await consuming.catch(() => undefined);
    await warehouse.close();
    rmSync(folder, { recursive: true, force: true });
  }
  if (freshnessMs.length !== sentAt.size)
    throw new Error(`${sentAt.size - freshnessMs.length} of ${sentAt.size} events sent never reached gold`);
  const sorted = freshnessMs.sort((a, b) => a - b);
  const percentile = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! / 1000;
  const cycle = { name: 'the cycle (a run every minute)', value: CYCLE_MS / 1000, unit: 's' };
  return [
    {
      name: `freshness.send_to_gold_p50 (${sorted.length} events)`,
      value: percentile(50),
      unit: 's',
      baseline: cycle,
    },
    {
      name: `freshness.send_to_gold_p95 (${sorted.length} events)`,
      value: percentile(95),
      unit: 's',
      baseline: cycle,
      target: '<= 2 cycles (120 s)',
    },
  ];
}
