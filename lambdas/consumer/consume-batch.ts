import type { S3Client } from '@aws-sdk/client-s3';
import { type LakeWriteOutcome, writePlannedObjects } from './lake-object-writer.js';
import type { KafkaBatchResponse, MskEvent } from './msk-event.js';
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
}

export interface ConsumedBatch {
  /** What to return to the event source: the records to deliver again, if any. */
  readonly response: KafkaBatchResponse;
  readonly metrics: ConsumerBatchMetrics;
  readonly errors: LakeWriteOutcome['errors'];
}

/**
 * One batch from the MSK event source into the lake: the same code runs in the Lambda function and
 * in the local consumer. A record that cannot be used is quarantined, never a reason to fail the
 * batch; only a failed write is reported back, so that exactly those records are delivered again.
 */
export async function consumeBatch(
  event: MskEvent,
  lake: { readonly s3: S3Client; readonly bucket: string },
): Promise<ConsumedBatch> {
  const plan = planLakeWrites(event);
  const outcome = await writePlannedObjects(lake.s3, lake.bucket, plan);
  return {
    response: { batchItemFailures: outcome.failures },
    metrics: {
      recordsIn: plan.recordsIn,
      valid: plan.valid,
      quarantined: plan.quarantined,
      repeatedInBatch: plan.repeatedInBatch,
      recordsAlreadyInLake: outcome.recordsAlreadyInLake,
      objectsWritten: outcome.objectsWritten,
      bytesWritten: outcome.bytesWritten,
      failedObjects: outcome.errors.length,
    },
    errors: outcome.errors,
  };
}
