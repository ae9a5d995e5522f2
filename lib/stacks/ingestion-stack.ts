import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { IngestionConfig, ObservabilityConfig, ProducerConfig } from '../config/pipeline-config.js';
import { LakeConsumerFunction } from '../ingestion/lake-consumer-function.js';
import type { LakeStorage } from '../lake/lake-storage.js';
import { IngestionMonitoring } from '../observability/ingestion-monitoring.js';
import { EventProducerService } from '../producer/event-producer-service.js';
import type { EventStreamCluster } from '../streaming/event-stream-cluster.js';

/** Properties of {@link IngestionStack}. */
export interface IngestionStackProps extends StackProps {
  /** The VPC the tasks and the function run in. */
  readonly vpc: IVpc;
  /**
   * Subnets for the tasks and the function.
   * @default - the VPC's private subnets
   */
  readonly workloadSubnets?: SubnetSelection;
  /** The Kafka cluster and its events topic (from the stateful stack). */
  readonly eventStream: EventStreamCluster;
  /** The lake (from the stateful stack). */
  readonly lake: LakeStorage;
  /** Task count, event rate and task size of the producer. */
  readonly producer: ProducerConfig;
  /** The consumer function and its event source. */
  readonly ingestion: IngestionConfig;
  /** Alarm thresholds. */
  readonly observability: ObservabilityConfig;
  /** Retention of the producer's and the consumer's logs. */
  readonly logRetention: RetentionDays;
}

/**
 * The stateless ingestion path: the Fargate producer, the lake consumer function with its MSK
 * event source, and their dashboard and alarms. It holds no data, so it can be destroyed and
 * redeployed freely; the cluster and the lake it uses live in the stateful stack.
 */
export class IngestionStack extends Stack {
  readonly producer: EventProducerService;
  readonly consumer: LakeConsumerFunction;
  readonly monitoring: IngestionMonitoring;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    const {
      vpc,
      workloadSubnets,
      eventStream,
      lake,
      producer,
      ingestion,
      observability,
      logRetention,
      ...stackProps
    } = props;
    super(scope, id, stackProps);
    this.producer = new EventProducerService(this, 'Producer', {
      vpc,
      vpcSubnets: workloadSubnets,
      eventStream,
      desiredCount: producer.desiredCount,
      eventsPerSecond: producer.eventRate,
      cpu: producer.cpu,
      memoryLimitMiB: producer.memoryMiB,
      logRetention,
    });
    this.consumer = new LakeConsumerFunction(this, 'Consumer', {
      vpc,
      vpcSubnets: workloadSubnets,
      eventStream,
      lake,
      consumerGroupId: ingestion.consumerGroupId,
      batchSize: ingestion.batchSize,
      maxBatchingWindow: Duration.seconds(ingestion.maxBatchingWindowSeconds),
      retryAttempts: ingestion.retryAttempts,
      maxRecordAge: Duration.seconds(ingestion.maxRecordAgeSeconds),
      minimumPollers: ingestion.minimumPollers,
      maximumPollers: ingestion.maximumPollers,
      memorySize: ingestion.memoryMiB,
      timeout: Duration.seconds(ingestion.timeoutSeconds),
      logRetention,
    });
    this.monitoring = new IngestionMonitoring(this, 'Monitoring', {
      consumer: this.consumer,
      producer: this.producer,
      eventStream,
      offsetLagThreshold: observability.offsetLagThreshold,
      quarantineRateThreshold: observability.quarantineRateThreshold,
      brokerDiskUsedPercentThreshold: observability.brokerDiskUsedPercentThreshold,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic the ingestion alarms notify: subscribe to it',
      value: this.monitoring.alarmTopic.topicArn,
    });
  }
}
