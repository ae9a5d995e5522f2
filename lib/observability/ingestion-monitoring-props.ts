import type { LakeConsumerFunction } from '../ingestion/lake-consumer-function.js';
import type { EventProducerService } from '../producer/event-producer-service.js';
import type { EventStreamCluster } from '../streaming/event-stream-cluster.js';

/** Properties of {@link IngestionMonitoring}. */
export interface IngestionMonitoringProps {
  /** The lake consumer function and its event source. */
  readonly consumer: LakeConsumerFunction;
  /** The Fargate producer. */
  readonly producer: EventProducerService;
  /** The Kafka cluster: its brokers' disks are watched when it is provisioned. */
  readonly eventStream: EventStreamCluster;
  /**
   * Alarm when the event source's OffsetLag (records behind the end of the topic) stays above this
   * for several periods in a row: a burst the consumer soon catches up with is not worth a page.
   * @default 10000
   */
  readonly offsetLagThreshold?: number;
  /**
   * Alarm when more than this share of consumed records (0 to 1) went to quarantine in one alarm
   * period: a share rather than a count, so that the alarm means the same at any event rate.
   * @default 0.05
   */
  readonly quarantineRateThreshold?: number;
  /**
   * Alarm when a broker's data disk is fuller than this percentage (provisioned clusters; MSK
   * Serverless manages its own storage). A full disk stops the broker taking writes.
   * @default 80
   */
  readonly brokerDiskUsedPercentThreshold?: number;
}
