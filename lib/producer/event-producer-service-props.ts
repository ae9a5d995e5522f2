import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { EventStreamCluster } from '../streaming/event-stream-cluster.js';

/** Properties of {@link EventProducerService}. */
export interface EventProducerServiceProps {
  /** The VPC the tasks run in: the cluster's. */
  readonly vpc: IVpc;
  /**
   * Subnets for the tasks. They get no public IP address.
   * @default - the VPC's private subnets (isolated ones when none has egress)
   */
  readonly vpcSubnets?: SubnetSelection;
  /**
   * The Kafka cluster to write to. The tasks carry its client security group and may write to its
   * events topic, and nothing else.
   */
  readonly eventStream: EventStreamCluster;
  /**
   * Tasks to keep running. 0 keeps the service but stops producing.
   * @default 1
   */
  readonly desiredCount?: number;
  /**
   * Events per second each task sends (the producer's `EVENT_RATE`); more than 0, at most 100000.
   * @default 1
   */
  readonly eventsPerSecond?: number;
  /**
   * CPU units of each task (1024 is one vCPU).
   * @default 256
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
   */
  readonly cpu?: number;
  /**
   * Memory of each task in MiB; it must fit `cpu` (Fargate's table of sizes).
   * @default - 512, or the least Fargate offers with `cpu` when that is more
   */
  readonly memoryLimitMiB?: number;
  /**
   * How long the producer's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * The Docker build context: the repository root, which holds `lambdas/producer/Dockerfile`
   * and the `.dockerignore` that keeps `node_modules`, `.git` and `cdk.out` out of it.
   * @default - the root of this repository, found from this file's location
   */
  readonly buildContext?: string;
}
