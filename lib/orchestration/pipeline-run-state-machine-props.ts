import type { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { TransformationManifest } from '../../lambdas/shared/transform/transformation-manifest.js';
import type { RunLease } from './run-lease.js';

/** Properties of {@link PipelineRunStateMachine}. */
export interface PipelineRunStateMachineProps {
  /**
   * The loader function, invoked with `{"runId": <execution name>}`; it returns the load's counts
   * and throws `WarehouseConnectionError` when Snowflake cannot be reached.
   */
  readonly loader: IFunction;
  /**
   * The SQL-runner function, invoked with `{"kind": "pending-work" | "model" | "test", ...,
   * "batchId": <execution name>}`; it throws `WarehouseConnectionError` when Snowflake cannot be
   * reached.
   */
  readonly sqlRunner: IFunction;
  /** The lease a run holds while it loads and transforms. */
  readonly lease: RunLease;
  /** Told of every execution that fails, times out or is aborted. */
  readonly failureTopic: ITopic;
  /**
   * Minute past each hour at which the scheduled run starts (0 to 59).
   * @default 10
   */
  readonly scheduleMinute?: number;
  /**
   * The transformation plan to build.
   * @default - `sql/manifest.json`, loaded and validated
   */
  readonly manifest?: TransformationManifest;
  /**
   * The most the work of one run (load, then transformation) may take. The execution's timeout is
   * this plus the longest wait for the lease, so a run that waited keeps its whole budget.
   * @default Duration.hours(2)
   */
  readonly runTimeout?: Duration;
  /**
   * Retries, with backoff, of a step whose warehouse connection failed (0 to 10).
   * @default 3
   */
  readonly connectionRetries?: number;
  /**
   * How many times a run waits a minute for the lease while another run holds it, before it ends
   * as skipped (0 to 59): less than the hour between scheduled runs, so that a run gives up before
   * the next one starts waiting too; that one takes the files.
   * @default 55
   */
  readonly maxLeaseWaits?: number;
  /**
   * Retention of the execution log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}
