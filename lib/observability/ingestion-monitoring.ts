import { Duration, Stack } from 'aws-cdk-lib';
import {
  type Alarm,
  type AlarmProps,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PIPELINE_METRICS_NAMESPACE } from '../../lambdas/shared/runtime/pipeline-metrics.js';
import type { IngestionMonitoringProps } from './ingestion-monitoring-props.js';
import { notifyingAlarm } from './notifying-alarm.js';

/** The consumer's embedded-metric-format service (lambdas/consumer/handler.ts). */
export const CONSUMER_SERVICE_DIMENSION = 'lake-consumer';
const FIVE_MINUTES = Duration.minutes(5);
const FIFTEEN_MINUTES = Duration.minutes(15);
/** The alarm thresholds when the props do not say otherwise. */
export const INGESTION_MONITORING_DEFAULTS = {
  offsetLagThreshold: 10_000,
  quarantineRateThreshold: 0.05,
  brokerDiskUsedPercentThreshold: 80,
} as const satisfies Required<
  Pick<
    IngestionMonitoringProps,
    'offsetLagThreshold' | 'quarantineRateThreshold' | 'brokerDiskUsedPercentThreshold'
  >
>;

/** What to use instead of a broker disk threshold that is not a percentage short of full, or `undefined`. */
export function brokerDiskThresholdProblem(percent: number): string | undefined {
  return percent >= 1 && percent <= 99
    ? undefined
    : 'use a percentage of the disk from 1 to 99, e.g. 80; at 100 the broker has already stopped taking writes';
}

/** What to use instead of a quarantine-rate threshold that is not a share, or `undefined` when it is one. */
export function quarantineRateProblem(rate: number): string | undefined {
  return rate > 0 && rate < 1
    ? undefined
    : 'use a share between 0 and 1, e.g. 0.05 for 5% of records quarantined';
}

/**
 * The dashboard and alarms of the ingestion path (producer -> Kafka -> consumer -> lake), with an
 * SNS topic the alarms notify. Subscribe to {@link alarmTopic} (e-mail, chat) after deploying.
 *
 * Alarms: consumer errors (Lambda `Errors`), consumer lag (the event source's `OffsetLag`),
 * quarantine rate (the consumer's `RecordsQuarantined / RecordsIn`), producer tasks running below
 * the desired count (Container Insights `RunningTaskCount`), producer errors (ERROR lines in its
 * JSON logs), and every way a record can be lost or stuck on the way to the lake: lake objects the
 * consumer failed to write, records the event source gave up on (delivered to the failed-batch
 * destination, to replay), records it dropped or could not deliver there (lost), and a broker disk
 * filling up (provisioned clusters).
 */
export class IngestionMonitoring extends Construct {
  /** The topic every alarm notifies. */
  readonly alarmTopic: Topic;
  /** The key the alarm topic is encrypted with; publishers need to use it (see grantPublish). */
  readonly alarmKey: Key;
  /** The CloudWatch dashboard. */
  readonly dashboard: Dashboard;
  /** The alarms, by what they watch. */
  readonly alarms: {
    readonly consumerErrors: Alarm;
    readonly consumerLag: Alarm;
    readonly quarantineRate: Alarm;
    readonly producerTasks: Alarm;
    readonly producerErrors: Alarm;
    readonly failedObjects: Alarm;
    readonly failedBatchesDelivered: Alarm;
    readonly recordsLost: Alarm;
    /** Provisioned clusters only. */
    readonly brokerDiskUsed?: Alarm;
  };

  constructor(scope: Construct, id: string, props: IngestionMonitoringProps) {
    super(scope, id);
    const offsetLagThreshold = props.offsetLagThreshold ?? INGESTION_MONITORING_DEFAULTS.offsetLagThreshold;
    const quarantineRateThreshold =
      props.quarantineRateThreshold ?? INGESTION_MONITORING_DEFAULTS.quarantineRateThreshold;
    const where = `IngestionMonitoring ${this.node.path}`;
    if (!(offsetLagThreshold >= 1)) {
      throw new Error(`${where}: offsetLagThreshold is ${offsetLagThreshold}; use 1 record or more`);
    }
    const quarantineRateRefused = quarantineRateProblem(quarantineRateThreshold);
    if (quarantineRateRefused !== undefined) {
      throw new Error(
        `${where}: quarantineRateThreshold is ${quarantineRateThreshold}; ${quarantineRateRefused}`,
      );
    }
    const brokerDiskThreshold =
      props.brokerDiskUsedPercentThreshold ?? INGESTION_MONITORING_DEFAULTS.brokerDiskUsedPercentThreshold;
    const brokerDiskRefused = brokerDiskThresholdProblem(brokerDiskThreshold);
    if (brokerDiskRefused !== undefined) {
      throw new Error(
        `${where}: brokerDiskUsedPercentThreshold is ${brokerDiskThreshold}; ${brokerDiskRefused}`,
      );
    }
    const consumerFunction = props.consumer.function;
    const { producer } = props;

    this.alarmKey = new Key(this, 'AlarmTopicKey', {
      description:
        "Encrypts the Spotify pipeline's alarm topic: alarms, failed runs and anomaly announcements",
      enableKeyRotation: true,
    });
    // An encrypted topic takes messages only from services the key lets encrypt. CloudWatch, for the
    // alarms, only on behalf of this account. (EventBridge, for the failed-run rule in the warehouse
    // stack, is let in by CDK when that rule targets this topic.)
    this.alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Spotify pipeline ingestion alarms',
      enforceSSL: true,
      masterKey: this.alarmKey,
    });

    const consumerErrors = consumerFunction.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
    // Lambda publishes OffsetLag for Kafka event sources in AWS/Lambda by function name.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
    const offsetLag = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OffsetLag',
      dimensionsMap: { FunctionName: consumerFunction.functionName },
      statistic: 'Maximum',
      period: FIVE_MINUTES,
    });
    const consumerMetric = (metricName: string) =>
      new Metric({
        namespace: PIPELINE_METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: CONSUMER_SERVICE_DIMENSION },
        statistic: 'Sum',
        period: FIFTEEN_MINUTES,
      });
    const recordsIn = consumerMetric('RecordsIn');
    const recordsQuarantined = consumerMetric('RecordsQuarantined');
    const quarantineRate = new MathExpression({
      // No records in the window is a rate of 0, not a missing value.
      expression: 'IF(recordsIn > 0, quarantined / recordsIn, 0)',
      usingMetrics: { recordsIn, quarantined: recordsQuarantined },
      label: 'Share of records quarantined',
      period: FIFTEEN_MINUTES,
    });
    const containerInsights = (metricName: string) =>
      new Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: {
          ClusterName: producer.cluster.clusterName,
          ServiceName: producer.service.serviceName,
        },
        statistic: 'Minimum',
        period: FIVE_MINUTES,
      });
    const runningTasks = containerInsights('RunningTaskCount');
    // The event source's own counts (its metricsConfig), by event source mapping.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
    const eventSourceMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { EventSourceMappingUUID: props.consumer.eventSource.eventSourceMappingId },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const failedBatchesDelivered = eventSourceMetric('OnFailureDestinationDeliveredEventCount');
    const recordsLost = new MathExpression({
      // Both are published only when something happened: no data is none lost.
      expression: 'FILL(dropped, 0) + FILL(undelivered, 0)',
      usingMetrics: {
        dropped: eventSourceMetric('DroppedEventCount'),
        undelivered: eventSourceMetric('OnFailureDestinationDeliveryErrorCount'),
      },
      label: 'Records dropped, or not delivered to the failed-batch destination',
      period: FIVE_MINUTES,
    });
    const failedObjects = consumerMetric('FailedObjects');
    const { eventStream } = props;
    const brokerDiskUsed =
      eventStream.brokerCount === undefined
        ? undefined
        : new MathExpression({
            // One figure for any number of brokers: the fullest disk of the cluster's.
            expression: `SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = '${eventStream.clusterName}'`,
            usingMetrics: {},
            label: 'Fullest broker data disk (%)',
            period: FIVE_MINUTES,
          });
    const producerErrorFilter = new MetricFilter(this, 'ProducerErrorLines', {
      logGroup: producer.logGroup,
      // Powertools Logger writes one JSON object per line with its level.
      filterPattern: FilterPattern.stringValue('$.level', '=', 'ERROR'),
      metricNamespace: PIPELINE_METRICS_NAMESPACE,
      metricName: 'ProducerErrors',
      metricValue: '1',
      defaultValue: 0,
    });
    const producerErrors = producerErrorFilter.metric({ statistic: 'Sum', period: FIVE_MINUTES });

    const alarm = (alarmId: string, settings: AlarmProps): Alarm =>
      notifyingAlarm(this, alarmId, this.alarmTopic, settings);
    this.alarms = {
      consumerErrors: alarm('ConsumerErrors', {
        alarmDescription: `The lake consumer threw in 2 of the last 3 periods of ${FIVE_MINUTES.toMinutes()} minutes: its batches are being retried and may reach the failed-batch destination. Check its logs.`,
        metric: consumerErrors,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      consumerLag: alarm('ConsumerLag', {
        alarmDescription: `The lake consumer is more than ${offsetLagThreshold} records behind the events topic for ${FIVE_MINUTES.toMinutes() * 3} minutes.`,
        metric: offsetLag,
        threshold: offsetLagThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // OffsetLag is published only while the event source is polling.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      quarantineRate: alarm('QuarantineRate', {
        alarmDescription: `More than ${quarantineRateThreshold * 100}% of the consumed records went to quarantine/ in ${FIFTEEN_MINUTES.toMinutes()} minutes: a producer may be sending a broken shape.`,
        metric: quarantineRate,
        threshold: quarantineRateThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      producerTasks: alarm('ProducerTasks', {
        alarmDescription: `Fewer producer tasks are running than the ${producer.desiredCount} wanted, for ${FIVE_MINUTES.toMinutes() * 3} minutes.`,
        metric: runningTasks,
        threshold: producer.desiredCount,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // No data means no task reported at all, which is the worst case, unless none is wanted.
        treatMissingData:
          producer.desiredCount > 0 ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
      }),
      producerErrors: alarm('ProducerErrors', {
        alarmDescription: `The producer logged errors in 2 of the last 3 periods of ${FIVE_MINUTES.toMinutes()} minutes.`,
        metric: producerErrors,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      failedObjects: alarm('FailedObjects', {
        alarmDescription:
          'The lake consumer could not write some lake objects: their records were handed back to the event source to retry, and reach the failed-batch destination if the retries fail too. Check the consumer logs for the S3 error.',
        metric: failedObjects,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      failedBatchesDelivered: alarm('FailedBatchesDelivered', {
        alarmDescription:
          'The event source gave up on records and wrote them to the lake bucket under aws/lambda/: they are not in bronze. Fix the cause, then run `spotify-pipeline replay-failed --bucket <lake bucket> --brokers <brokers>` while the topic still holds them.',
        metric: failedBatchesDelivered,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      recordsLost: alarm('RecordsLost', {
        alarmDescription:
          'The event source dropped records, or could not write a batch it gave up on to the failed-batch destination: those records are in neither bronze nor aws/lambda/, and the consumer group has moved past them. `spotify-pipeline audit --brokers <brokers> --bucket <lake bucket> --warehouse snowflake` lists them as lost offset ranges; replay them with `spotify-pipeline replay-failed --offsets <topic>:<partition>:<first>-<last>` while the topic still holds them.',
        metric: recordsLost,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      ...(brokerDiskUsed === undefined
        ? {}
        : {
            brokerDiskUsed: alarm('BrokerDiskUsed', {
              alarmDescription: `A broker's data disk has been more than ${brokerDiskThreshold}% full for ${FIVE_MINUTES.toMinutes() * 3} minutes: when it fills, the broker stops taking writes and the producer's events are refused. Add storage to the brokers (provisioned.ebsVolumeGiB) or shorten the topic's retention.`,
              metric: brokerDiskUsed,
              threshold: brokerDiskThreshold,
              comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
              evaluationPeriods: 3,
              treatMissingData: TreatMissingData.BREACHING,
            }),
          }),
    };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new GraphWidget({
            title: 'Consumer invocations and errors',
            left: [consumerFunction.metricInvocations({ period: FIVE_MINUTES }), consumerErrors],
            width: 8,
          }),
          new GraphWidget({
            title: 'Consumer lag (records behind the topic)',
            left: [offsetLag],
            leftAnnotations: [lagAnnotation(offsetLagThreshold)],
            width: 8,
          }),
          new GraphWidget({
            title: 'Consumer duration',
            left: [consumerFunction.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Records in and quarantined',
            left: [recordsIn, recordsQuarantined, consumerMetric('RecordsAlreadyInLake')],
            width: 8,
          }),
          new GraphWidget({
            title: 'Quarantine rate',
            left: [quarantineRate],
            leftAnnotations: [{ value: quarantineRateThreshold, label: 'alarm' }],
            width: 8,
          }),
          new GraphWidget({
            title: 'Lake objects written and failed',
            left: [consumerMetric('ObjectsWritten'), failedObjects],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Producer tasks running',
            left: [runningTasks],
            leftAnnotations: [{ value: producer.desiredCount, label: 'desired' }],
            width: 8,
          }),
          new GraphWidget({
            title: 'Producer CPU and memory (%)',
            left: [
              producer.service.metricCpuUtilization({ period: FIVE_MINUTES }),
              producer.service.metricMemoryUtilization({ period: FIVE_MINUTES }),
            ],
            width: 8,
          }),
          new GraphWidget({ title: 'Producer error lines', left: [producerErrors], width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'Records given up on (to aws/lambda/) and lost',
            left: [failedBatchesDelivered, recordsLost],
            width: 8,
          }),
          ...(brokerDiskUsed === undefined
            ? []
            : [
                new GraphWidget({
                  title: 'Fullest broker data disk (%)',
                  left: [brokerDiskUsed],
                  leftAnnotations: [{ value: brokerDiskThreshold, label: 'alarm' }],
                  width: 8,
                }),
              ]),
        ],
      ],
    });
  }
}

function lagAnnotation(threshold: number): HorizontalAnnotation {
  return { value: threshold, label: 'alarm' };
}
