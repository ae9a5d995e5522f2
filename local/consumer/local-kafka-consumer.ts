import type { S3Client } from '@aws-sdk/client-s3';
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { type ConsumerBatchMetrics, consumeBatch } from '../../lambdas/consumer/consume-batch.js';
import type { MskEvent, MskRecord } from '../../lambdas/consumer/msk-event.js';

export interface LocalConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly lake: { readonly s3: S3Client; readonly bucket: string };
  /** Records per handler call, at most (the MSK event source allows up to 10,000). */
  readonly batchSize: number;
  /** How long a fetch waits for records before handing over what it has. */
  readonly maxWaitMs: number;
  /** Stop once every partition's committed offset has reached its end. */
  readonly untilIdle: boolean;
  readonly signal?: AbortSignal;
  readonly onBatch?: (
    metrics: ConsumerBatchMetrics,
    errors: readonly { key: string; error: string }[],
  ) => void;
  /**
   * Called after a batch's objects are written and before its offsets are committed. Tests use it
   * to kill the process at the worst moment; nothing else should.
   */
  readonly beforeCommit?: () => Promise<void> | void;
}

export interface LocalConsumerTotals {
  readonly batches: number;
  readonly recordsIn: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly objectsWritten: number;
  readonly bytesWritten: number;
}

const IDLE_CHECK_MS = 500;

/**
 * Plays the MSK event source on this machine: reads the topic in a consumer group, hands the
 * handler's core events of exactly the shape Lambda delivers, and commits offsets only after it
 * succeeds. Records the core reports as failed are fetched again from the lowest failed offset, as
 * Lambda's partial batch response does.
 */
export async function runLocalConsumer(options: LocalConsumerOptions): Promise<LocalConsumerTotals> {
  const totals = { batches: 0, recordsIn: 0, valid: 0, quarantined: 0, objectsWritten: 0, bytesWritten: 0 };
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: options.maxWaitMs,
    // A consumer that died keeps its partitions until its session times out: ten seconds, not
    // kafkajs's thirty, so that a restarted consumer picks up again quickly.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    let failure: unknown;
    const finished = new Promise<void>((resolve) => {
      const stop = () => resolve();
      options.signal?.addEventListener('abort', stop, { once: true });
      consumer.on(consumer.events.CRASH, (event) => {
        // kafkajs restarts the consumer itself after a retriable error (a coordinator still
        // loading, a rebalance); only a crash it will not recover from ends the run.
        if (event.payload.restart) return;
        failure = event.payload.error;
        resolve();
      });
      if (options.untilIdle) void watchUntilDrained(options, consumer, stop);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        for (let start = 0; start < batch.messages.length; start += options.batchSize) {
          if (!isRunning() || isStale()) return;
          const messages = batch.messages.slice(start, start + options.batchSize);
          const event = mskEventFor(batch.topic, batch.partition, messages);
          const { response, metrics, errors } = await consumeBatch(event, options.lake, Date.now());
          totals.batches++;
          totals.recordsIn += metrics.recordsIn;
          totals.valid += metrics.valid;
          totals.quarantined += metrics.quarantined;
          totals.objectsWritten += metrics.objectsWritten;
          totals.bytesWritten += metrics.bytesWritten;
          options.onBatch?.(metrics, errors);
          await options.beforeCommit?.();
          const failed = response.batchItemFailures[0];
          if (failed !== undefined) {
            // Commit what succeeded before the failure, then fetch from the failed offset again.
            await commit(consumer, batch.topic, batch.partition, failed.itemIdentifier.offset);
            consumer.seek({
              topic: batch.topic,
              partition: batch.partition,
              offset: String(failed.itemIdentifier.offset),
            });
            return;
          }
          await commit(consumer, batch.topic, batch.partition, Number(messages.at(-1)!.offset) + 1);
          // Tell kafkajs the records are done too, or it fetches them again from its own position.
          resolveOffset(messages.at(-1)!.offset);
          await heartbeat();
        }
      },
    });
    await finished;
    if (failure !== undefined) throw failure;
  } finally {
    await consumer.disconnect();
  }
  return totals;
}

/** Builds the event Lambda's MSK event source would deliver for these messages of one partition. */
export function mskEventFor(topic: string, partition: number, messages: readonly KafkaMessage[]): MskEvent {
  const records: MskRecord[] = messages.map((message) => ({
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: 'CREATE_TIME',
    ...(message.key === null || message.key === undefined ? {} : { key: message.key.toString('base64') }),
    ...(message.value === null ? {} : { value: message.value.toString('base64') }),
    headers: headersAsByteArrays(message.headers),
  }));
  return { eventSource: 'SelfManagedKafka', records: { [`${topic}-${partition}`]: records } };
}

function headersAsByteArrays(headers: IHeaders | undefined): Record<string, number[]>[] {
  const result: Record<string, number[]>[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) result.push({ [name]: [...Buffer.from(item)] });
    }
  }
  return result;
}

async function commit(
  consumer: Consumer,
  topic: string,
  partition: number,
  nextOffset: number,
): Promise<void> {
  await consumer.commitOffsets([{ topic, partition, offset: String(nextOffset) }]);
}

/** Resolves `stop` once the group's committed offsets have reached the end of every partition. */
async function watchUntilDrained(
  options: LocalConsumerOptions,
  consumer: Consumer,
  stop: () => void,
): Promise<void> {
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    while (!options.signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, IDLE_CHECK_MS));
      if (!joined) continue;
      const ends = await admin.fetchTopicOffsets(options.topic);
      const [committed] = await admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] });
      const committedByPartition = new Map(
        committed?.partitions.map((entry) => [entry.partition, Number(entry.offset)]),
      );
      const drained = ends.every(
        (end) => Math.max(0, committedByPartition.get(end.partition) ?? 0) >= Number(end.high),
      );
      if (drained) break;
    }
  } finally {
    await admin.disconnect();
    stop();
  }
}
