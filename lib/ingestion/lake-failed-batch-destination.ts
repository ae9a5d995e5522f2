import type {
  DlqDestinationConfig,
  IEventSourceDlq,
  IEventSourceMapping,
  IFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

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
 * lake. Lambda needs `s3:PutObject` and `s3:ListBucket`; PutObject is granted under
 * {@link FAILED_BATCHES_PREFIX} only.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 */
export class LakeFailedBatchDestination implements IEventSourceDlq {
  constructor(private readonly bucket: IBucket) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    this.bucket.grantPut(targetHandler, `${FAILED_BATCHES_PREFIX}*`);
    return { destination: this.bucket.bucketArn };
  }
}
