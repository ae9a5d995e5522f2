import type {
  DlqDestinationConfig,
  IEventSourceDlq,
  IEventSourceMapping,
  IFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { LakeStorage } from '../lake/lake-storage.js';

/**
 * Where Lambda writes, under this prefix of the destination bucket, the batches its Kafka event
 * source gives up on. Lambda chooses the keys itself (`aws/lambda/<mapping UUID>/<partition>/
 * <date>/...`); the prefix cannot be configured.
 */
export const FAILED_BATCHES_PREFIX = 'aws/lambda/';

/**
 * The event source's on-failure destination: the lake bucket, which receives each discarded batch
 * as a JSON document with the full records (an SQS or SNS destination would get only the offsets,
 * and the records would be lost once the topic's retention passes).
 *
 * The same as aws-cdk-lib's `S3OnFailureDestination`, with narrower permissions: that one grants
 * read and write (deletes included) on the whole bucket, which would let the consumer delete the
 * lake. Lambda needs `s3:PutObject` and `s3:ListBucket`: both are granted under
 * {@link FAILED_BATCHES_PREFIX} only. AWS does not say which prefix Lambda lists; a delivery it
 * cannot make is counted (OnFailureDestinationDeliveryErrorCount), and alarmed on.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 */
export class LakeFailedBatchDestination implements IEventSourceDlq {
  constructor(private readonly lake: LakeStorage) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    this.lake.grantCreateObjects(targetHandler, FAILED_BATCHES_PREFIX);
    this.lake.grantListUnder(targetHandler, FAILED_BATCHES_PREFIX);
    return { destination: this.lake.bucket.bucketArn };
  }
}
