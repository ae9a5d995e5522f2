import { Duration } from 'aws-cdk-lib';
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
   * The SQL-runner function, invoked with `{"kind": "pending-work" | "model" | "test" |
   * "new-anomalies" | "audit", ..., "batchId": <execution name>}`; it throws
   * `WarehouseConnectionError` when Snowflake cannot be reached.
   */
  readonly sqlRunner: IFunction;
  /** The lease a run holds while it loads and transforms. */
  readonly lease: RunLease;
  /** The alarm topic: told of every execution that fails, times out or is aborted, and of the skip-rate anomalies a run finds first. */
  readonly failureTopic: ITopic;
  /**
   * When the scheduled runs start, and which of them checks all of history.
   * @default - every 60 minutes at minute 10, full checks in the 03:00 UTC hour
   */
  readonly schedule?: RunSchedule;
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
   * as skipped: less than the minutes between scheduled runs, so that a run gives up before the
   * next one starts waiting too; that one takes the files.
   * @default - the minutes between scheduled runs, less 5 (55 for hourly runs)
   */
  readonly maxLeaseWaits?: number;
  /**
   * Retention of the execution log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/** The cadence of the scheduled pipeline runs. */
export interface RunSchedule {
  /**
   * Minutes between runs: 5, 10, 15, 20, 30 or 60 (a divisor of the hour, so that the runs fall at
   * the same minutes every hour). Each run costs what its new data costs, plus one warehouse
   * session per step.
   */
  readonly everyMinutes: number;
  /** The minute of the first run of each hour (0 to everyMinutes - 1): late enough for files closing on the hour. */
  readonly minute: number;
  /** The UTC hour (0 to 23) whose first run checks all of history (`fullChecks`); the others check their batch. */
  readonly fullChecksHourUtc: number;
}

/** Cadences a schedule may have: the divisors of the hour from 5 minutes up. */
export const RUN_CADENCES_MINUTES: readonly number[] = [5, 10, 15, 20, 30, 60];

/** Hourly at minute 10, full checks at 03:10 UTC. */
export const DEFAULT_RUN_SCHEDULE: RunSchedule = { everyMinutes: 60, minute: 10, fullChecksHourUtc: 3 };

/** A run's budget and retries when the props do not say otherwise. */
export const PIPELINE_RUN_DEFAULTS = {
  runTimeout: Duration.hours(2),
  connectionRetries: 3,
} as const satisfies Required<Pick<PipelineRunStateMachineProps, 'runTimeout' | 'connectionRetries'>>;

/** The retries of a step whose warehouse connection failed that a run may make. */
export const CONNECTION_RETRIES_RANGE = { min: 0, max: 10, unit: 'retries' } as const;
