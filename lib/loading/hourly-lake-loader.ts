import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { LakeStorage } from '../lake/lake-storage.js';
import { WarehouseSqlFunction } from '../warehouse/warehouse-sql-function.js';

/** The handler's file, relative to the repository root. */
export const LOADER_ENTRY = 'lambdas/loader/handler.ts';

/** Properties of {@link HourlyLakeLoader}. */
export interface HourlyLakeLoaderProps {
  readonly lake: LakeStorage;
  /** The Snowflake key-pair secret. */
  readonly credentials: ISecret;
  /**
   * Minute past each hour at which the load runs.
   * @default 10
   */
  readonly scheduleMinute?: number;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.minutes(15) */
  readonly timeout?: Duration;
  readonly logRetention?: RetentionDays;
}

/**
 * The hourly load of the lake into Snowflake: an EventBridge rule fires `lambdas/loader/handler.ts`
 * at a fixed minute past every hour, and the function loads every closed hour's new files of the
 * last 7 days (COPY INTO with an explicit file list, then MERGE; the ledger makes it exactly once).
 *
 * A missed or failed run needs no dead-letter queue: the next run finds the same files still
 * missing from the ledger and loads them. Lambda retries a failed asynchronous invocation twice.
 */
export class HourlyLakeLoader extends Construct {
  readonly function: NodejsFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: HourlyLakeLoaderProps) {
    super(scope, id);
    const scheduleMinute = props.scheduleMinute ?? 10;
    if (!Number.isInteger(scheduleMinute) || scheduleMinute < 0 || scheduleMinute > 59) {
      throw new Error(`HourlyLakeLoader ${this.node.path}: scheduleMinute is ${scheduleMinute}; use 0 to 59`);
    }
    const timeout = props.timeout ?? Duration.minutes(15);
    const loader = new WarehouseSqlFunction(this, 'Loader', {
      entry: LOADER_ENTRY,
      description: "Loads the lake's new bronze/ files of closed hours into Snowflake, exactly once",
      credentials: props.credentials,
      memorySize: props.memorySize ?? 1024,
      timeout,
      logRetention: props.logRetention,
      environment: { LAKE_BUCKET: props.lake.bucket.bucketName },
    });
    this.function = loader.function;
    // The loader lists bronze/ to find new files, and Snowflake's stage reads them; the function
    // reads a file itself only when COPY refuses it, to stage its good lines and keep the bad ones.
    props.lake.grantReadBronze(this.function);
    this.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });

    this.schedule = new Rule(this, 'Schedule', {
      description: `Loads the lake into Snowflake at minute ${scheduleMinute} of every hour`,
      schedule: Schedule.cron({ minute: String(scheduleMinute), hour: '*' }),
      targets: [new LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(1) })],
    });
  }

  /** Lets the loader start `stateMachine` after each load with rows, and tells it which one. */
  startsAfterEachLoad(stateMachine: IStateMachine): void {
    this.function.addEnvironment('TRANSFORMATION_STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this.function);
  }
}
