import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { type WarehouseFunctionSettings, WarehouseSqlFunction } from '../warehouse/warehouse-sql-function.js';

/** The handler's file, relative to the repository root. */
export const SQL_RUNNER_ENTRY = 'lambdas/sql-runner/handler.ts';

/**
 * Properties of {@link SqlRunnerFunction}: the Snowflake key-pair secret it logs in with, and its
 * size and timeout (one step: a model, a test, the pending-work check).
 */
export type SqlRunnerFunctionProps = WarehouseFunctionSettings;

/**
 * The SQL-runner function (`lambdas/sql-runner/handler.ts`): one step of the transformation per
 * invocation (`{"kind": "model" | "test" | "pending-work" | "new-anomalies" | "audit", ...,
 * "batchId"}`), its statements in one transaction; the pending-work step publishes the
 * `GoldLagSeconds` metric and the audit `Unexplained`. It records each step under the batch id in
 * the same transaction as its rows, so a step run again after it committed does nothing twice.
 */
export class SqlRunnerFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: SqlRunnerFunctionProps) {
    super(scope, id);
    this.function = new WarehouseSqlFunction(this, 'SqlRunner', {
      entry: SQL_RUNNER_ENTRY,
      description:
        'Runs one model or data-quality test of sql/manifest.json on Snowflake, or checks for new work',
      ...props,
    }).function;
  }
}
