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
} as const satisfies Required<
  Pick<IngestionMonitoringProps, 'offsetLagThreshold' | 'quarantineRateThreshold'>
>;

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
 * the desired count (Container Insights `RunningTaskCount`), and producer errors (ERROR lines in
 * its JSON logs).
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
        alarmDescription:
          'The lake consumer threw in 2 of the last 3 five-minute periods: its batches are being retried and may reach the failed-batch destination. Check its logs.',
        metric: consumerErrors,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      consumerLag: alarm('ConsumerLag', {
        alarmDescription: `The lake consumer is more than ${offsetLagThreshold} records behind the events topic for 15 minutes.`,
        metric: offsetLag,
        threshold: offsetLagThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // OffsetLag is published only while the event source is polling.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      quarantineRate: alarm('QuarantineRate', {
        alarmDescription: `More than ${quarantineRateThreshold * 100}% of the consumed records went to quarantine/ in 15 minutes: a producer may be sending a broken shape.`,
        metric: quarantineRate,
        threshold: quarantineRateThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      producerTasks: alarm('ProducerTasks', {
        alarmDescription: `Fewer producer tasks are running than the ${producer.desiredCount} wanted, for 15 minutes.`,
        metric: runningTasks,
        threshold: producer.desiredCount,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // No data means no task reported at all, which is the worst case, unless none is wanted.
        treatMissingData:
          producer.desiredCount > 0 ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
      }),
      producerErrors: alarm('ProducerErrors', {
        alarmDescription: 'The producer logged errors in 2 of the last 3 five-minute periods.',
        metric: producerErrors,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
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
            left: [consumerMetric('ObjectsWritten'), consumerMetric('FailedObjects')],
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
      ],
    });
  }
}

function lagAnnotation(threshold: number): HorizontalAnnotation {
  return { value: threshold, label: 'alarm' };
}
