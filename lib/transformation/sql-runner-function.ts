import { Duration } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WarehouseSqlFunction } from '../warehouse/warehouse-sql-function.js';

/** The handler's file, relative to the repository root. */
export const SQL_RUNNER_ENTRY = 'lambdas/sql-runner/handler.ts';

/** Properties of {@link SqlRunnerFunction}. */
export interface SqlRunnerFunctionProps {
  /** The Snowflake key-pair secret the SQL runner logs in with. */
  readonly credentials: ISecret;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Timeout of one step (a model, a test, the pending-work check); at least 120 seconds (see
   * {@link WarehouseSqlFunction}).
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The SQL-runner function (`lambdas/sql-runner/handler.ts`): one step of the transformation per
 * invocation (`{"kind": "model" | "test" | "pending-work", ..., "batchId"}`), its statements in
 * one transaction. It records each step under the batch id in the same transaction as its rows, so
 * a step run again after it committed does nothing twice.
 */
export class SqlRunnerFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: SqlRunnerFunctionProps) {
    super(scope, id);
    this.function = new WarehouseSqlFunction(this, 'SqlRunner', {
      entry: SQL_RUNNER_ENTRY,
      description:
        'Runs one model or data-quality test of sql/manifest.json on Snowflake, or checks for new work',
      credentials: props.credentials,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(15),
      logRetention: props.logRetention,
    }).function;
  }
}
