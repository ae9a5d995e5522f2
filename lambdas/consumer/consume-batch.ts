import type { S3Client } from '@aws-sdk/client-s3';
import { type LakeWriteOutcome, writeArrivalManifest, writePlannedObjects } from './lake-object-writer.js';
import {
  type KafkaBatchItemFailure,
  type KafkaBatchResponse,
  type MskEvent,
  topicPartitionName,
} from './msk-event.js';
import { planLakeWrites } from './plan-lake-writes.js';

/** What one batch did, for metrics and logs. */
export interface ConsumerBatchMetrics {
  readonly recordsIn: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly repeatedInBatch: number;
  readonly recordsAlreadyInLake: number;
  readonly objectsWritten: number;
  readonly bytesWritten: number;
  readonly failedObjects: number;
  /** The arrival manifest written for the batch; absent when nothing reached the lake. */
  readonly arrivalManifest?: string;
}

export interface ConsumedBatch {
  /** What to return to the event source: the records to deliver again, if any. */
  readonly response: KafkaBatchResponse;
  readonly metrics: ConsumerBatchMetrics;
  readonly errors: LakeWriteOutcome['errors'];
  /** Every lake object holding the batch's records (written now or found already there): what its manifest lists. */
  readonly objects: LakeWriteOutcome['objectKeys'];
}

/**
 * One batch from the MSK event source into the lake: the same code runs in the Lambda function and
 * in the local consumer. A record that cannot be used is quarantined, never a reason to fail the
 * batch; only a failed write is reported back, so that exactly those records are delivered again.
 *
 * After the objects, the batch's arrival manifest names every object holding its records, which
 * is how the loader finds them. If that write fails, the whole batch is delivered again: its
 * objects are then found already in the lake, and the retry's manifest names them.
 *
 * @param arrivedAtMs the consumer's clock when the batch is written (the handler's Date.now()):
 *   the manifest's place in `arrivals/`
 */
export async function consumeBatch(
  event: MskEvent,
  lake: { readonly s3: S3Client; readonly bucket: string },
  arrivedAtMs: number,
): Promise<ConsumedBatch> {
  const plan = planLakeWrites(event);
  const outcome = await writePlannedObjects(lake.s3, lake.bucket, plan);
  let arrivalManifest: string | undefined;
  let failures = outcome.failures;
  const errors = [...outcome.errors];
  if (outcome.objectKeys.bronze.length + outcome.objectKeys.quarantine.length > 0) {
    try {
      arrivalManifest = await writeArrivalManifest(lake.s3, lake.bucket, arrivedAtMs, outcome);
    } catch (error) {
      errors.push({
        key: 'arrivals/ (manifest)',
        error: error instanceof Error ? error.message : String(error),
      });
      failures = everyPartitionFromItsStart(event);
    }
  }
  return {
    response: { batchItemFailures: failures },
    metrics: {
      recordsIn: plan.recordsIn,
      valid: plan.valid,
      quarantined: plan.quarantined,
      repeatedInBatch: plan.repeatedInBatch,
      recordsAlreadyInLake: outcome.recordsAlreadyInLake,
      objectsWritten: outcome.objectsWritten,
      bytesWritten: outcome.bytesWritten,
      failedObjects: errors.length,
      ...(arrivalManifest === undefined ? {} : { arrivalManifest }),
    },
    errors,
    objects: outcome.objectKeys,
  };
}

/** Every partition of the batch, from its first record (groups are in offset order): all to be delivered again. */
function everyPartitionFromItsStart(event: MskEvent): KafkaBatchItemFailure[] {
  return Object.values(event.records)
    .filter((records) => records.length > 0)
    .map((records) => ({
      itemIdentifier: {
        partition: topicPartitionName(records[0]!.topic, records[0]!.partition),
        offset: records[0]!.offset,
      },
    }))
    .sort((a, b) => a.itemIdentifier.partition.localeCompare(b.itemIdentifier.partition));
}
