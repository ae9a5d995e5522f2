import type { S3Client } from '@aws-sdk/client-s3';
import type { Kafka } from 'kafkajs';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import {
  type FailedBatchRecord,
  parseFailedBatchRecord,
} from '../../../lambdas/consumer/failed-batch-record.js';
import { putIfAbsent } from '../../../lambdas/consumer/lake-object-writer.js';
import { type MskEvent, topicPartitionName } from '../../../lambdas/consumer/msk-event.js';
import {
  type OffsetRange,
  REPLAYS_PREFIX,
  replayMarkerKey,
} from '../../../lambdas/shared/lake/lake-layout.js';
import { mapInParallel } from '../../../lambdas/shared/runtime/in-parallel.js';
import { FAILED_BATCHES_PREFIX } from '../../../lib/ingestion/lake-failed-batch-destination.js';
import { mskEventFor } from '../../../local/consumer/local-kafka-consumer.js';
import { unknownTopic } from '../failure-messages.js';
import { listKeys, PARALLEL_READS, readObject } from '../lake-objects.js';
import { KafkaRangeReader, OffsetsDeletedWhileReadingError } from './kafka-range-reader.js';
import {
  eventToReplay,
  type LostRange,
  planReplay,
  type RangePlan,
  REQUESTED_CONDITION,
} from './replay-plan.js';

export interface ReplayOptions {
  readonly kafka: Kafka;
  readonly lake: { readonly s3: S3Client; readonly bucket: string };
  /** Replay only failure records of this topic; the others are left alone. All when absent. */
  readonly topic?: string;
  /** Say what would be replayed; read no record and write nothing. */
  readonly dryRun: boolean;
  /** The clock: the arrival time of the replayed batches' manifests, and the markers' time. */
  readonly now: () => number;
  /**
   * Replay these offset ranges instead of the failure records: records the event source dropped
   * without writing a failure record, which the audit lists as lost. No marker is written (a range
   * has no failure record to mark); the consumer's core still writes each record once.
   */
  readonly ranges?: readonly OffsetRange[];
}

/** How an offset range asked for on the command line is named in the report. */
export function requestedRangeKey(range: OffsetRange): string {
  return `--offsets ${range.topic}:${range.partition}:${range.firstOffset}-${range.lastOffset}`;
}

/** A failure record standing for an offset range asked for by hand: no payload, nothing to mark. */
function requestedRange(range: OffsetRange, now: number): FailedBatchRecord {
  return {
    condition: REQUESTED_CONDITION,
    failedAt: new Date(now).toISOString(),
    eventSourceArn: null,
    batchSize: range.lastOffset - range.firstOffset + 1,
    ranges: [range],
    payload: null,
  };
}

/**
 * - `replayed`: every record of the batch is in the lake now, and the marker says so.
 * - `already-replayed`: a marker says an earlier run replayed it; nothing was done.
 * - `would-replay`: a dry run's plan.
 * - `lost`: some offsets are neither in Kafka nor in the record; the rest was replayed. No marker,
 *   so every run says so again.
 * - `damaged`: the failure record cannot be read (its problem says why).
 * - `skipped`: it names a topic other than `--topic`.
 * - `failed`: the replay did not complete (a lake write failed, or Kafka deleted the offsets while
 *   they were read); a later run tries again.
 */
export type ReplayStatus =
  | 'replayed'
  | 'already-replayed'
  | 'would-replay'
  | 'lost'
  | 'damaged'
  | 'skipped'
  | 'failed';

export interface RangeReport extends OffsetRange {
  /** The offsets read (or, in a dry run, to read) from Kafka; null when Kafka holds none of them. */
  readonly fromKafka: OffsetRange | null;
  /** Records read from Kafka; null in a dry run, which reads none. */
  readonly recordsFromKafka: number | null;
  readonly recordsFromPayload: number;
}

/** What the consumer's core did with a replayed batch. */
export interface ReplayedBatch {
  readonly records: number;
  readonly valid: number;
  readonly quarantined: number;
  /** Records already in the lake (an earlier attempt wrote them): not written again. */
  readonly alreadyInLake: number;
  readonly objectsWritten: number;
  /** Every object holding the batch's records, written now or found there. */
  readonly bronze: readonly string[];
  readonly quarantine: readonly string[];
  readonly arrivalManifest: string | null;
}

export interface ReplayEntry {
  /** The failure record's key under `aws/lambda/`. */
  readonly key: string;
  readonly status: ReplayStatus;
  /** Why Lambda gave up, and when. */
  readonly condition?: string;
  readonly failedAt?: string;
  readonly ranges: readonly RangeReport[];
  readonly lost: readonly LostRange[];
  readonly batch?: ReplayedBatch;
  /** The replay marker written now, or found. */
  readonly marker?: string;
  /** For `already-replayed`: what its marker says. */
  readonly previously?: {
    readonly replayedAt: string;
    readonly records: number;
    readonly arrivalManifest: string | null;
  };
  readonly problem?: string;
}

export interface ReplayTotals {
  readonly failureRecords: number;
  readonly byStatus: Readonly<Record<ReplayStatus, number>>;
  readonly records: number;
  readonly fromKafka: number;
  readonly fromPayload: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly alreadyInLake: number;
  readonly objectsWritten: number;
  readonly offsetsLost: number;
}

export interface ReplayReport {
  readonly dryRun: boolean;
  readonly entries: readonly ReplayEntry[];
  readonly totals: ReplayTotals;
}

/** What a replay marker (`replays/<failure record key>.json`) holds. */
export interface ReplayMarker {
  readonly version: 1;
  readonly failure_record: string;
  readonly replayed_at: string;
  readonly records: number;
  readonly from_kafka: number;
  readonly from_payload: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly already_in_lake: number;
  readonly objects_written: number;
  readonly bronze: readonly string[];
  readonly quarantine: readonly string[];
  readonly arrival_manifest: string | null;
}

/**
 * Replays the batches Lambda's Kafka event source gave up on: every failure record under
 * `aws/lambda/` not yet replayed is read, its offsets fetched again from Kafka (or taken from its
 * payload where the topic no longer holds them), and the batch run through the consumer's own core,
 * `consumeBatch`, as the function would have. The core writes conditionally and leaves out offsets
 * the lake already holds, so a batch that partly reached the lake before lands exactly once, marker
 * or not. A damaged record is reported and the others still replayed.
 */
export async function replayFailedBatches(options: ReplayOptions): Promise<ReplayReport> {
  const { s3, bucket } = options.lake;
  const admin = options.kafka.admin();
  await admin.connect();
  let reader: KafkaRangeReader | undefined;
  try {
    const topics = new Set(await admin.listTopics());
    if (options.topic !== undefined && !topics.has(options.topic)) throw unknownTopic(options.topic);
    const requested = options.ranges ?? [];
    const unknown = requested.find((range) => !topics.has(range.topic));
    if (unknown !== undefined) throw unknownTopic(unknown.topic);
    const keys =
      requested.length > 0
        ? requested.map(requestedRangeKey)
        : (await listKeys(s3, bucket, FAILED_BATCHES_PREFIX)).filter((key) => !key.endsWith('/'));
    const markers = new Set(requested.length > 0 ? [] : await listKeys(s3, bucket, REPLAYS_PREFIX));

    const read =
      requested.length > 0
        ? requested.map((range) => requestedRange(range, options.now()))
        : await mapInParallel(keys, PARALLEL_READS, async (key): Promise<ReplayEntry | FailedBatchRecord> => {
            const marker = replayMarkerKey(key);
            if (markers.has(marker)) return alreadyReplayed(s3, bucket, key, marker);
            const body = await readObject(s3, bucket, key);
            const record =
              body === null
                ? { problem: `${key}: it was deleted while the replay read it` }
                : parseFailedBatchRecord(key, Buffer.from(body).toString('utf8'));
            if ('problem' in record)
              return { key, status: 'damaged', ranges: [], lost: [], problem: record.problem };
            const other = record.ranges.find(
              (range) => options.topic !== undefined && range.topic !== options.topic,
            );
            if (other !== undefined)
              return {
                key,
                status: 'skipped',
                ...described(record),
                ranges: [],
                lost: [],
                problem: `it names topic ${other.topic}, not --topic ${options.topic}`,
              };
            return record;
          });

    const toReplay = keys.flatMap((key, index) => {
      const item = read[index]!;
      return 'status' in item ? [] : [{ key, record: item }];
    });
    const namedTopics = [
      ...new Set(toReplay.flatMap(({ record }) => record.ranges.map((range) => range.topic))),
    ]
      .filter((topic) => topics.has(topic))
      .sort();
    const watermarks = new Map<string, { low: number; high: number }>();
    for (const topic of namedTopics)
      for (const mark of await admin.fetchTopicOffsets(topic))
        watermarks.set(topicPartitionName(topic, mark.partition), {
          low: Number(mark.low),
          high: Number(mark.high),
        });

    const replayed = new Map<string, ReplayEntry>();
    for (const { key, record } of toReplay) {
      const plans = planReplay(record, watermarks);
      if (options.dryRun) {
        replayed.set(key, {
          key,
          status: 'would-replay',
          ...described(record),
          ranges: plans.map((plan) => rangeReport(plan, null)),
          lost: plans.flatMap((plan) => plan.lost),
        });
        continue;
      }
      if (reader === undefined && plans.some((plan) => plan.fromKafka !== null))
        reader = await KafkaRangeReader.open(options.kafka, namedTopics);
      replayed.set(key, await replayOne(options, reader, key, record, plans, requested.length === 0));
    }

    const entries = keys.map((key, index) => {
      const item = read[index]!;
      return 'status' in item ? item : replayed.get(key)!;
    });
    return { dryRun: options.dryRun, entries, totals: totalsOf(entries) };
  } finally {
    await reader?.close();
    await admin.disconnect();
  }
}

async function replayOne(
  options: ReplayOptions,
  reader: KafkaRangeReader | undefined,
  key: string,
  record: FailedBatchRecord,
  plans: readonly RangePlan[],
  marked: boolean,
): Promise<ReplayEntry> {
  const lost = plans.flatMap((plan) => plan.lost);
  let fromKafka: MskEvent[];
  try {
    fromKafka = await Promise.all(
      plans.map(async (plan) => {
        if (plan.fromKafka === null || reader === undefined) return { eventSource: 'aws:kafka', records: {} };
        const { topic, partition, firstOffset, lastOffset } = plan.fromKafka;
        return mskEventFor(topic, partition, await reader.read(topic, partition, firstOffset, lastOffset));
      }),
    );
  } catch (error) {
    if (!(error instanceof OffsetsDeletedWhileReadingError)) throw error;
    return {
      key,
      status: 'failed',
      ...described(record),
      ranges: plans.map((plan) => rangeReport(plan, null)),
      lost,
      problem: `${error.message}: run replay-failed again to take them from the failure record's payload, or report them lost`,
    };
  }
  const ranges = plans.map((plan, index) =>
    rangeReport(
      plan,
      Object.values(fromKafka[index]!.records).reduce((total, list) => total + list.length, 0),
    ),
  );
  // An event with no records (all of them lost) writes nothing: the core plans no object.
  const event = eventToReplay(record, fromKafka, plans);
  const consumed = await consumeBatch(event, options.lake, options.now());
  const batch: ReplayedBatch = {
    records: consumed.metrics.recordsIn,
    valid: consumed.metrics.valid,
    quarantined: consumed.metrics.quarantined,
    alreadyInLake: consumed.metrics.recordsAlreadyInLake,
    objectsWritten: consumed.metrics.objectsWritten,
    bronze: consumed.objects.bronze,
    quarantine: consumed.objects.quarantine,
    arrivalManifest: consumed.metrics.arrivalManifest ?? null,
  };
  if (consumed.errors.length > 0)
    return {
      key,
      status: 'failed',
      ...described(record),
      ranges,
      lost,
      batch,
      problem: `the lake refused ${consumed.errors.map((failure) => `${failure.key} (${failure.error})`).join(', ')}: run replay-failed again`,
    };
  if (lost.length > 0) return { key, status: 'lost', ...described(record), ranges, lost, batch };
  if (!marked) return { key, status: 'replayed', ...described(record), ranges, lost, batch };

  const marker = replayMarkerKey(key);
  const body: ReplayMarker = {
    version: 1,
    failure_record: key,
    replayed_at: new Date(options.now()).toISOString(),
    records: batch.records,
    from_kafka: ranges.reduce((total, range) => total + (range.recordsFromKafka ?? 0), 0),
    from_payload: ranges.reduce((total, range) => total + range.recordsFromPayload, 0),
    valid: batch.valid,
    quarantined: batch.quarantined,
    already_in_lake: batch.alreadyInLake,
    objects_written: batch.objectsWritten,
    bronze: batch.bronze,
    quarantine: batch.quarantine,
    arrival_manifest: batch.arrivalManifest,
  };
  await putIfAbsent(
    options.lake.s3,
    options.lake.bucket,
    marker,
    Buffer.from(JSON.stringify(body)),
    'application/json',
  );
  return { key, status: 'replayed', ...described(record), ranges, lost, batch, marker };
}

async function alreadyReplayed(
  s3: S3Client,
  bucket: string,
  key: string,
  marker: string,
): Promise<ReplayEntry> {
  const body = await readObject(s3, bucket, marker);
  let previously: ReplayEntry['previously'];
  try {
    const parsed =
      body === null ? null : (JSON.parse(Buffer.from(body).toString('utf8')) as Partial<ReplayMarker>);
    if (parsed !== null && typeof parsed.replayed_at === 'string' && Number.isSafeInteger(parsed.records))
      previously = {
        replayedAt: parsed.replayed_at,
        records: parsed.records!,
        arrivalManifest: typeof parsed.arrival_manifest === 'string' ? parsed.arrival_manifest : null,
      };
  } catch {
    // The marker's existence is what counts; what it says is only reported.
  }
  return {
    key,
    status: 'already-replayed',
    ranges: [],
    lost: [],
    marker,
    ...(previously === undefined ? {} : { previously }),
  };
}

function described(record: FailedBatchRecord): { condition: string; failedAt: string } {
  return { condition: record.condition, failedAt: record.failedAt };
}

function rangeReport(plan: RangePlan, recordsFromKafka: number | null): RangeReport {
  return {
    topic: plan.topic,
    partition: plan.partition,
    firstOffset: plan.firstOffset,
    lastOffset: plan.lastOffset,
    fromKafka: plan.fromKafka,
    recordsFromKafka,
    recordsFromPayload: plan.fromPayload.length,
  };
}

function totalsOf(entries: readonly ReplayEntry[]): ReplayTotals {
  const byStatus: Record<ReplayStatus, number> = {
    replayed: 0,
    'already-replayed': 0,
    'would-replay': 0,
    lost: 0,
    damaged: 0,
    skipped: 0,
    failed: 0,
  };
  let records = 0;
  let fromKafka = 0;
  let fromPayload = 0;
  let valid = 0;
  let quarantined = 0;
  let alreadyInLake = 0;
  let objectsWritten = 0;
  let offsetsLost = 0;
  for (const entry of entries) {
    byStatus[entry.status]++;
    for (const range of entry.lost) offsetsLost += range.lastOffset - range.firstOffset + 1;
    if (entry.batch === undefined) continue;
    for (const range of entry.ranges) {
      fromKafka += range.recordsFromKafka ?? 0;
      fromPayload += range.recordsFromPayload;
    }
    records += entry.batch.records;
    valid += entry.batch.valid;
    quarantined += entry.batch.quarantined;
    alreadyInLake += entry.batch.alreadyInLake;
    objectsWritten += entry.batch.objectsWritten;
  }
  return {
    failureRecords: entries.length,
    byStatus,
    records,
    fromKafka,
    fromPayload,
    valid,
    quarantined,
    alreadyInLake,
    objectsWritten,
    offsetsLost,
  };
}
