import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  type AlarmProps,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  GOLD_LAG_METRIC,
  PIPELINE_METRICS_NAMESPACE,
  SQL_RUNNER_SERVICE,
  UNEXPLAINED_RECORDS_METRIC,
} from '../../lambdas/shared/runtime/pipeline-metrics.js';
import { notifyingAlarm } from './notifying-alarm.js';

/** The loader's embedded-metric-format service (lambdas/loader/handler.ts). */
export const LOADER_SERVICE_DIMENSION = 'lake-loader';
const ONE_HOUR = Duration.hours(1);
/** The freshness alarm's threshold and the time between runs when the props do not say otherwise. */
export const WAREHOUSE_MONITORING_DEFAULTS = {
  freshnessThreshold: Duration.hours(3),
  runEvery: ONE_HOUR,
} as const satisfies Required<Pick<WarehouseMonitoringProps, 'freshnessThreshold' | 'runEvery'>>;

/**
 * The lowest freshness threshold that does not alarm on a healthy pipeline: a file written just
 * after a load waits the whole time between runs, and then the next run's own load.
 */
export function minimumFreshnessThreshold(runEvery: Duration): Duration {
  return Duration.minutes(runEvery.toMinutes() + 30);
}

/** Properties of {@link WarehouseMonitoring}. */
export interface WarehouseMonitoringProps {
  /** The loader function; it publishes the backlog metrics (UnloadedFiles, OldestUnloadedFileAgeSeconds). */
  readonly loader: NodejsFunction;
  readonly sqlRunner: NodejsFunction;
  /** The pipeline-run state machine, which invokes both functions. */
  readonly stateMachine: StateMachine;
  /** The topic the alarms notify (the pipeline's alarm topic). */
  readonly alarmTopic: ITopic;
  /**
   * Alarm when the oldest unloaded lake file, or the oldest bronze load gold has not folded in yet,
   * is older than this; at least {@link minimumFreshnessThreshold} of `runEvery`.
   * @default Duration.hours(3)
   */
  readonly freshnessThreshold?: Duration;
  /**
   * The time between scheduled runs (a file written just after a load waits that long for the next).
   * @default Duration.hours(1)
   */
  readonly runEvery?: Duration;
}

/**
 * The dashboard and alarms of the warehouse side (lake -> Snowflake -> silver and gold).
 *
 * Alarms: freshness (the loader's OldestUnloadedFileAgeSeconds above the threshold for two
 * hours, or not reported for two hours, which is what a run that never gets to load looks
 * like: it cannot start, or keeps finding the lease held), gold older than the same threshold
 * (the SQL runner's `GoldLagSeconds`: the age of the oldest bronze load some gold model has not
 * folded in, published by each run's pending-work step), loader errors, failed, timed-out or
 * aborted pipeline runs, and records the audit of the layers cannot explain (the SQL runner's
 * `Unexplained`, published by each run's audit step).
 */
export class WarehouseMonitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: {
    readonly freshness: Alarm;
    readonly goldFreshness: Alarm;
    readonly loaderErrors: Alarm;
    readonly runFailures: Alarm;
    readonly unexplainedRecords: Alarm;
  };

  constructor(scope: Construct, id: string, props: WarehouseMonitoringProps) {
    super(scope, id);
    const freshnessThreshold = props.freshnessThreshold ?? WAREHOUSE_MONITORING_DEFAULTS.freshnessThreshold;
    const runEvery = props.runEvery ?? WAREHOUSE_MONITORING_DEFAULTS.runEvery;
    const floorMinutes = minimumFreshnessThreshold(runEvery).toMinutes();
    if (freshnessThreshold.toMinutes() < floorMinutes) {
      throw new Error(
        `WarehouseMonitoring ${this.node.path}: freshnessThreshold is ${freshnessThreshold.toMinutes()} minutes; use at least ${floorMinutes} (a file written just after a load waits ${runEvery.toMinutes()} minutes for the next run)`,
      );
    }
    const loaderMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: PIPELINE_METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: LOADER_SERVICE_DIMENSION },
        statistic,
        period: ONE_HOUR,
      });
    const oldestUnloadedFileAge = loaderMetric('OldestUnloadedFileAgeSeconds', 'Maximum');
    const loaderErrors = props.loader.metricErrors({ period: ONE_HOUR, statistic: 'Sum' });
    const { stateMachine } = props;
    const failedRuns = new MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: stateMachine.metricFailed({ period: ONE_HOUR, statistic: 'Sum' }),
        timedOut: stateMachine.metricTimedOut({ period: ONE_HOUR, statistic: 'Sum' }),
        aborted: stateMachine.metricAborted({ period: ONE_HOUR, statistic: 'Sum' }),
      },
      label: 'Runs failed, timed out or aborted',
      period: ONE_HOUR,
    });

    // One audit and one pending-work step per run: the worst of a run period is that run's figure.
    const sqlRunnerMetric = (metricName: string) =>
      new Metric({
        namespace: PIPELINE_METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SQL_RUNNER_SERVICE },
        statistic: 'Maximum',
        period: runEvery,
      });
    const unexplainedRecords = sqlRunnerMetric(UNEXPLAINED_RECORDS_METRIC);
    const goldLag = sqlRunnerMetric(GOLD_LAG_METRIC);

    const alarm = (alarmId: string, settings: AlarmProps): Alarm =>
      notifyingAlarm(this, alarmId, props.alarmTopic, settings);
    this.alarms = {
      freshness: alarm('Freshness', {
        alarmDescription: `The oldest lake file not yet loaded into Snowflake is more than ${freshnessThreshold.toMinutes()} minutes old for two hours in a row, or the loader reported nothing for two hours: the warehouse is falling behind the lake. Check the loader's logs.`,
        metric: oldestUnloadedFileAge,
        threshold: freshnessThreshold.toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        // The loader reports once an hour, before it loads; silence means it did not get that far.
        treatMissingData: TreatMissingData.BREACHING,
      }),
      goldFreshness: alarm('GoldFreshness', {
        alarmDescription: `Gold lags bronze by more than ${freshnessThreshold.toMinutes()} minutes: rows loaded that long ago are not yet in the gold KPIs. The runs since then failed after the load, or their transformation did not finish. Check the pipeline runs and the SQL runner's logs.`,
        metric: goldLag,
        threshold: freshnessThreshold.toSeconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // A run that never reaches its pending-work step reports nothing: the freshness and
        // run-failure alarms report that run.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      loaderErrors: alarm('LoaderErrors', {
        alarmDescription:
          'The loader failed in the last hour (a failed warehouse connection is retried by the run first; the next run loads what it missed). Check its logs.',
        metric: loaderErrors,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      runFailures: alarm('RunFailures', {
        alarmDescription:
          'A pipeline run (load, then transform) failed, timed out or was aborted in the last hour: gold is stale until a run succeeds. The alarm topic also got the run’s cause.',
        metric: failedRuns,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      unexplainedRecords: alarm('UnexplainedRecords', {
        alarmDescription:
          "The audit at the end of a pipeline run found records no layer of the warehouse explains (a bronze row missing from its file's ledger count, a silver row without its bronze row, gold totals that differ from silver). The run's output ($.audit) names the files, event ids, devices or songs concerned. The run itself succeeded: its work committed.",
        metric: unexplainedRecords,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // A period with no audit (a run skipped, or failed before its audit, which the run-failure
        // alarm reports) counts as nothing unexplained; records still unexplained raise the alarm
        // again at the next run's audit.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    };

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(2),
      widgets: [
        [
          new GraphWidget({
            title: 'Oldest unloaded lake file (seconds)',
            left: [oldestUnloadedFileAge],
            leftAnnotations: [{ value: freshnessThreshold.toSeconds(), label: 'alarm' }],
            width: 8,
          }),
          new GraphWidget({
            title: 'Files due and loaded',
            left: [loaderMetric('UnloadedFiles', 'Maximum'), loaderMetric('FilesLoaded', 'Sum')],
            width: 8,
          }),
          new GraphWidget({
            title: 'Rows inserted and lines rejected',
            left: [loaderMetric('RowsInserted', 'Sum'), loaderMetric('LinesRejected', 'Sum')],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Loader invocations, errors and duration (p99)',
            left: [props.loader.metricInvocations({ period: ONE_HOUR }), loaderErrors],
            right: [props.loader.metricDuration({ period: ONE_HOUR, statistic: 'p99' })],
            width: 8,
          }),
          new GraphWidget({
            title: 'Pipeline runs',
            left: [stateMachine.metricSucceeded({ period: ONE_HOUR, statistic: 'Sum' }), failedRuns],
            right: [stateMachine.metricTime({ period: ONE_HOUR, statistic: 'Maximum' })],
            width: 8,
          }),
          new GraphWidget({
            title: 'SQL runner errors and duration (p99)',
            left: [props.sqlRunner.metricErrors({ period: ONE_HOUR, statistic: 'Sum' })],
            right: [props.sqlRunner.metricDuration({ period: ONE_HOUR, statistic: 'p99' })],
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Records the audit cannot explain',
            left: [unexplainedRecords],
            leftAnnotations: [{ value: 0, label: 'alarm above' }],
            width: 8,
          }),
          new GraphWidget({
            title: 'Gold lag behind bronze (seconds)',
            left: [goldLag],
            leftAnnotations: [{ value: freshnessThreshold.toSeconds(), label: 'alarm' }],
            width: 8,
          }),
        ],
      ],
    });
  }
}
