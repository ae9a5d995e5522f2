import type { Duration } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { LakeStorage } from '../lake/lake-storage.js';
import type { EventStreamCluster } from '../streaming/event-stream-cluster.js';

/** Properties of {@link LakeConsumerFunction}. */
export interface LakeConsumerFunctionProps {
  /** The VPC the function runs in: the cluster's. */
  readonly vpc: IVpc;
  /**
   * Subnets for the function's network interfaces.
   * @default - the VPC's private subnets (isolated ones when none has egress)
   */
  readonly vpcSubnets?: SubnetSelection;
  /** The Kafka cluster whose events topic the function consumes. */
  readonly eventStream: EventStreamCluster;
  /** The lake the function writes to (`bronze/`, `quarantine/`), which also receives failed batches. */
  readonly lake: LakeStorage;
  /**
   * Kafka consumer group of the event source.
   * @default - DEFAULT_LAKE_CONSUMER_GROUP (lambdas/shared/kafka/pipeline-topic.ts)
   */
  readonly consumerGroupId?: string;
  /**
   * Most records per invocation (MSK: 1 to 10,000, and at most 6 MB).
   * @default 500
   */
  readonly batchSize?: number;
  /**
   * Longest time the event source gathers records before invoking (up to 5 minutes).
   * @default Duration.seconds(5)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a batch that failed (the whole batch, or the records the partial batch response
   * names) before it goes to the on-failure destination. Bounded: 0 to 10,000.
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this go to the on-failure destination instead of the function.
   * @default Duration.hours(6)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Provisioned event pollers kept at all times. The error handling controls (bounded retries,
   * maximum record age, bisect on error, partial batch responses) need provisioned mode.
   * @default 1
   * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
   */
  readonly minimumPollers?: number;
  /**
   * Provisioned event pollers the event source may scale to (no use above the partition count).
   * @default 2
   */
  readonly maximumPollers?: number;
  /**
   * Memory of the function in MiB.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Timeout of one invocation.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}
