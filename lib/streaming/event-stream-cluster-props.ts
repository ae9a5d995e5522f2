import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Broker sizing of a provisioned MSK cluster. */
export interface ProvisionedBrokers {
  /**
   * MSK broker instance type.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/broker-instance-sizes.html
   */
  readonly instanceType: string;
  /** Brokers per availability zone; the cluster has `brokersPerAz` times the number of subnets. */
  readonly brokersPerAz: number;
  /** EBS storage of each broker, in GiB. */
  readonly ebsVolumeGiB: number;
  /**
   * Apache Kafka version, as MSK names it (`3.8.x`); 3.6.0 or later, which the topic API needs.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html
   */
  readonly kafkaVersion: string;
}

/**
 * How the cluster's capacity is provided: MSK Serverless, or provisioned brokers of a given size.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/serverless.html
 */
export type ClusterCapacity =
  | { readonly mode: 'serverless' }
  | { readonly mode: 'provisioned'; readonly brokers: ProvisionedBrokers };

/** Properties of {@link EventStreamCluster}. */
export interface EventStreamClusterProps {
  /** The VPC the cluster's network interfaces are placed in. */
  readonly vpc: IVpc;
  /**
   * Subnets for the brokers (one per availability zone, at least 2).
   * @default - the VPC's private subnets (isolated ones when none has egress), one per availability zone
   */
  readonly vpcSubnets?: SubnetSelection;
  /**
   * Serverless or provisioned capacity. Only a provisioned cluster gets its topic created at
   * deploy time (MSK's topic API does not serve MSK Serverless), so there is no default: the
   * caller chooses.
   */
  readonly capacity: ClusterCapacity;
  /**
   * Name of the events topic, created with a provisioned cluster at deploy time.
   * @default - DEFAULT_EVENTS_TOPIC (lambdas/shared/kafka/pipeline-topic.ts)
   */
  readonly topicName?: string;
  /**
   * Partitions of the events topic: the upper bound on consumer parallelism.
   * @default 6
   */
  readonly partitionCount?: number;
  /**
   * Copies of each partition. MSK Serverless always uses 3; a provisioned cluster needs at least
   * this many brokers.
   * @default 3
   */
  readonly replicationFactor?: number;
  /**
   * How long the topic keeps each record (`retention.ms`): the longest outage of the consumer the
   * pipeline recovers from without loss, and the time left to replay from the topic what the event
   * source gave up on (`spotify-pipeline replay-failed`). The lake consumer refuses a retention
   * that does not outlast its maximum record age by `MINIMUM_REPLAY_WINDOW` (a day).
   * @default Duration.days(7)
   */
  readonly retention?: Duration;
  /**
   * Copies that must have a record before a write of it is acknowledged (`min.insync.replicas`;
   * the producer writes with acks from all in-sync replicas). From 1 up to the replication factor.
   * @default - 2 with 3 or more copies; with fewer, one less than the copies (at least 1), so that
   * one broker being patched does not stop the producer
   */
  readonly minInSyncReplicas?: number;
  /**
   * Retention of the broker logs (provisioned clusters only; MSK Serverless has no broker logs).
   * @default RetentionDays.ONE_MONTH
   */
  readonly brokerLogRetention?: RetentionDays;
  /**
   * What happens to the cluster and topic when they leave the stack. Events not yet consumed live
   * only in the cluster, so it is retained unless the caller explicitly accepts losing them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
