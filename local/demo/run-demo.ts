import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type Kafka, logLevel } from 'kafkajs';
import { ensureTopic } from '../../lambdas/producer/ensure-topic.js';
import { produceEvents } from '../../lambdas/producer/event-producer.js';
import { generateEventLines, type SkipRateShift } from '../../lambdas/producer/generator/generate-events.js';
import { unpaced } from '../../lambdas/producer/pacers.js';
import { connectKafka } from '../../lambdas/shared/kafka/kafka-connection.js';
import { type GoldReport, readGoldReport } from '../../lambdas/shared/transform/gold-report.js';
import { runTransformation } from '../../lambdas/shared/transform/run-transformation.js';
import { DEFAULT_SQL_DIR, readDuckDbCompatibilitySql } from '../../lambdas/shared/warehouse/sql-files.js';
import { runLocalConsumer } from '../consumer/local-kafka-consumer.js';
import { loadLakeIntoDuckDb } from '../loader/load-lake-into-duckdb.js';
import { localRunId } from '../pipeline/local-run-id.js';
import { localS3Credentials } from '../services/endpoints.js';
import { type DuckDbWarehouse, openDuckDbWarehouse } from '../warehouse/duckdb-warehouse.js';

export interface DemoOptions {
  readonly events: number;
  readonly seed: number;
  /** Share of generated lines that are faults (duplicates, late events, malformed records). */
  readonly faultRate: number;
  /** Songs skipped at a rate of their own on one day: anomalies for the detection model to find. */
  readonly skipRateShifts?: readonly SkipRateShift[];
  readonly kafkaBrokers: string;
  readonly s3Endpoint: string;
  /** Where the demo's DuckDB warehouse goes; emptied first. */
  readonly workDir: string;
  readonly reportProgress?: (line: string) => void;
}

export interface DemoStage {
  readonly name: 'produce' | 'consume' | 'load' | 'transform' | 'report';
  readonly seconds: number;
}

export interface DemoRun {
  readonly topic: string;
  readonly bucket: string;
  readonly groupId: string;
  readonly warehousePath: string;
  readonly eventsProduced: number;
  readonly recordsConsumed: number;
  readonly recordsQuarantined: number;
  readonly objectsWritten: number;
  readonly rowsLoaded: number;
  readonly stages: readonly DemoStage[];
  readonly report: GoldReport;
  /** The generated lines, as produced: what the end-to-end test computes its expectations from. */
  readonly producedLines: readonly string[];
}

/**
 * The whole pipeline on this machine, once: generated events (with faults) through the real Kafka
 * broker, the consumer's code into the S3 lake, the loader into the embedded DuckDB warehouse, the
 * transformation plan, and the gold KPIs. Each run has a topic, bucket and warehouse of its own.
 */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const say = options.reportProgress ?? (() => {});
  const runId = localRunId(`demo-${options.seed}`);
  const name = `${Date.now().toString(36)}-${options.seed}`;
  const topic = `spotify-events-demo-${name}`;
  const bucket = `spotify-lake-demo-${name}`;
  const groupId = `spotify-lake-consumer-demo-${name}`;
  const kafka = connectKafka({
    brokers: [options.kafkaBrokers],
    clientId: 'spotify-pipeline-demo',
    auth: { kind: 'plaintext' },
    logLevel: logLevel.NOTHING,
  });
  const s3 = localS3Client(options.s3Endpoint);
  rmSync(options.workDir, { recursive: true, force: true });
  mkdirSync(options.workDir, { recursive: true });
  const warehousePath = join(options.workDir, 'warehouse.duckdb');
  const stages: DemoStage[] = [];
  const timed = async <T>(name: DemoStage['name'], work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    stages.push({ name, seconds: (performance.now() - started) / 1000 });
    return result;
  };

  const producedLines = [
    ...generateEventLines({
      seed: options.seed,
      count: options.events,
      faultRate: options.faultRate,
      ...(options.skipRateShifts === undefined ? {} : { skipRateShifts: options.skipRateShifts }),
    }),
  ].map((line) => line.text);
  say(
    `producing ${producedLines.length.toLocaleString('en-US')} events (with ${Math.round(options.faultRate * 100)}% faults) to ${topic}`,
  );
  const produced = await timed('produce', async () => {
    await ensureTopic(kafka, topic, 3);
    return produceEvents({ kafka, topic, lines: producedLines, pacer: unpaced });
  });

  say(`consuming into s3://${bucket} with the consumer Lambda's code`);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const consumed = await timed('consume', () => consumeUntilIdle(kafka, topic, groupId, s3, bucket));

  say(`loading the lake into ${warehousePath}`);
  const warehouse = await openDuckDbWarehouse(warehousePath, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
  try {
    const loaded = await timed('load', () => loadEverything(warehouse, s3, bucket, runId));
    say('running the transformation plan and its data-quality tests');
    await timed('transform', () => runTransformation(warehouse, { batchId: runId }));
    const report = await timed('report', () => readGoldReport(warehouse));
    return {
      topic,
      bucket,
      groupId,
      warehousePath,
      eventsProduced: produced.sent,
      recordsConsumed: consumed.recordsIn,
      recordsQuarantined: consumed.quarantined,
      objectsWritten: consumed.objectsWritten,
      rowsLoaded: loaded.rowsInserted,
      stages,
      report,
      producedLines,
    };
  } finally {
    await warehouse.close();
  }
}

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: localS3Credentials,
  });
}

export function consumeUntilIdle(kafka: Kafka, topic: string, groupId: string, s3: S3Client, bucket: string) {
  return runLocalConsumer({
    kafka,
    topic,
    groupId,
    lake: { s3, bucket },
    batchSize: 10_000,
    maxWaitMs: 200,
    untilIdle: true,
  });
}

/** The demo loads as the deployed pipeline does: every file that arrived since the last load. */
export function loadEverything(warehouse: DuckDbWarehouse, s3: S3Client, bucket: string, runId: string) {
  return loadLakeIntoDuckDb({
    warehouse,
    s3,
    bucket,
    source: { kind: 'arrivals' },
    runId,
    nowMs: Date.now(),
  });
}
