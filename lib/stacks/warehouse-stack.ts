import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { LoadingConfig, ObservabilityConfig, TransformationConfig } from '../config/pipeline-config.js';
import type { LakeStorage } from '../lake/lake-storage.js';
import { LakeLoader } from '../loading/lake-loader.js';
import { WarehouseMonitoring } from '../observability/warehouse-monitoring.js';
import { PipelineRunStateMachine } from '../orchestration/pipeline-run-state-machine.js';
import { RunLease } from '../orchestration/run-lease.js';
import { SqlRunnerFunction } from '../transformation/sql-runner-function.js';

/** Properties of {@link WarehouseStack}. */
export interface WarehouseStackProps extends StackProps {
  /** The lake (from the stateful stack). */
  readonly lake: LakeStorage;
  /** The Snowflake key-pair secret (from the stateful stack). */
  readonly snowflakeCredentials: ISecret;
  /** The pipeline's alarm topic (from the ingestion stack): alarms and failed runs notify it. */
  readonly alarmTopic: ITopic;
  readonly loading: LoadingConfig;
  readonly transformation: TransformationConfig;
  readonly observability: ObservabilityConfig;
  readonly logRetention: RetentionDays;
}

/**
 * The warehouse side, stateless: the hourly pipeline run (a state machine that takes the run
 * lease, invokes the loader function, then the SQL-runner function for each step of
 * `sql/manifest.json`), the lease's table, and their dashboard and alarms. The data it works on
 * lives in the lake (stateful stack) and in Snowflake; the lease table holds only a lock.
 */
export class WarehouseStack extends Stack {
  readonly loader: LakeLoader;
  readonly sqlRunner: SqlRunnerFunction;
  readonly runLease: RunLease;
  readonly pipelineRun: PipelineRunStateMachine;
  readonly monitoring: WarehouseMonitoring;

  constructor(scope: Construct, id: string, props: WarehouseStackProps) {
    const {
      lake,
      snowflakeCredentials,
      alarmTopic,
      loading,
      transformation,
      observability,
      logRetention,
      ...stackProps
    } = props;
    super(scope, id, stackProps);
    // The construct ids 'Loading' and 'Transformation' are those the two functions had before the
    // pipeline run existed: the functions and their log groups are updated in place, not replaced.
    this.loader = new LakeLoader(this, 'Loading', {
      lake,
      credentials: snowflakeCredentials,
      memorySize: loading.memoryMiB,
      timeout: Duration.seconds(loading.timeoutSeconds),
      logRetention,
    });
    this.sqlRunner = new SqlRunnerFunction(this, 'Transformation', {
      credentials: snowflakeCredentials,
      memorySize: transformation.stepMemoryMiB,
      timeout: Duration.seconds(transformation.stepTimeoutSeconds),
      logRetention,
    });
    this.runLease = new RunLease(this, 'RunLease');
    this.pipelineRun = new PipelineRunStateMachine(this, 'PipelineRun', {
      loader: this.loader.function,
      sqlRunner: this.sqlRunner.function,
      lease: this.runLease,
      failureTopic: alarmTopic,
      schedule: loading.schedule,
      runTimeout: Duration.minutes(transformation.runTimeoutMinutes),
      connectionRetries: transformation.connectionRetries,
      logRetention,
    });
    this.monitoring = new WarehouseMonitoring(this, 'Monitoring', {
      loader: this.loader.function,
      sqlRunner: this.sqlRunner.function,
      stateMachine: this.pipelineRun.stateMachine,
      alarmTopic,
      freshnessThreshold: Duration.minutes(observability.freshnessThresholdMinutes),
      runEvery: Duration.minutes(loading.schedule.everyMinutes),
    });
    // No output names the loader function: invoked by hand it would load without the run lease.
    new CfnOutput(this, 'PipelineRunStateMachineArn', {
      description:
        'Start an execution to load and transform now; {"fullRefresh": true} rebuilds silver and gold from all of bronze',
      value: this.pipelineRun.stateMachine.stateMachineArn,
    });
  }
}
