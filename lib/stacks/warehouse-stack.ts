import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { LoadingConfig, ObservabilityConfig, TransformationConfig } from '../config/pipeline-config.js';
import type { LakeStorage } from '../lake/lake-storage.js';
import { HourlyLakeLoader } from '../loading/hourly-lake-loader.js';
import { WarehouseMonitoring } from '../observability/warehouse-monitoring.js';
import { TransformationStateMachine } from '../transformation/transformation-state-machine.js';

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
 * The warehouse side, stateless: the hourly loader (EventBridge rule and function), the
 * transformation state machine built from `sql/manifest.json` with its SQL-runner function,
 * started by the loader after each load with rows, and their dashboard and alarms. The data it
 * works on lives in the lake (stateful stack) and in Snowflake.
 */
export class WarehouseStack extends Stack {
  readonly loader: HourlyLakeLoader;
  readonly transformation: TransformationStateMachine;
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
    this.loader = new HourlyLakeLoader(this, 'Loading', {
      lake,
      credentials: snowflakeCredentials,
      scheduleMinute: loading.scheduleMinute,
      memorySize: loading.memoryMiB,
      timeout: Duration.seconds(loading.timeoutSeconds),
      logRetention,
    });
    this.transformation = new TransformationStateMachine(this, 'Transformation', {
      credentials: snowflakeCredentials,
      failureTopic: alarmTopic,
      stepMemorySize: transformation.stepMemoryMiB,
      stepTimeout: Duration.seconds(transformation.stepTimeoutSeconds),
      runTimeout: Duration.minutes(transformation.runTimeoutMinutes),
      connectionRetries: transformation.connectionRetries,
      logRetention,
    });
    this.loader.startsAfterEachLoad(this.transformation.stateMachine);
    this.monitoring = new WarehouseMonitoring(this, 'Monitoring', {
      loader: this.loader.function,
      sqlRunner: this.transformation.sqlRunner,
      stateMachine: this.transformation.stateMachine,
      alarmTopic,
      freshnessThreshold: Duration.minutes(observability.freshnessThresholdMinutes),
    });
    new CfnOutput(this, 'TransformationStateMachineArn', {
      description: 'Start it with {"fullRefresh": true} to rebuild silver and gold from all of bronze',
      value: this.transformation.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'LoaderFunctionName', {
      description: 'Invoke it to load now rather than at the next scheduled minute',
      value: this.loader.function.functionName,
    });
  }
}
