/**
 * The CloudWatch namespace the pipeline's functions publish their embedded-format metrics in, and
 * the `service` dimension Powertools Metrics gives each function's metrics. The alarms and
 * dashboards in lib/observability read these names, so both sides import them from here.
 */
export const PIPELINE_METRICS_NAMESPACE = 'SpotifyPipeline';

/** The SQL runner's `service` dimension (its `audit` step publishes `Unexplained`, its `pending-work` step `GoldLagSeconds`). */
export const SQL_RUNNER_SERVICE = 'sql-runner';

/** Records the audit of the warehouse's layers could not account for (lambdas/shared/audit/layer-audit.ts). */
export const UNEXPLAINED_RECORDS_METRIC = 'Unexplained';

/**
 * How far gold lags bronze: the age, in seconds, of the oldest bronze load whose rows some gold
 * model has not folded in yet (0 when gold holds everything). The SQL runner publishes it at each
 * run's pending-work step; the gold freshness alarm reads it.
 */
export const GOLD_LAG_METRIC = 'GoldLagSeconds';
