import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requiredEnvironment } from '../shared/runtime/required-environment.js';
import { snowflakeSettingsFromSecret } from '../shared/warehouse/snowflake-settings.js';
import { openSnowflakeWarehouse } from '../shared/warehouse/snowflake-warehouse.js';
import { type LoadSummary, loadLake } from './load-lake.js';
import { SnowflakeLakeStager } from './snowflake-lake-stager.js';

// Read once at cold start, so that a missing setting fails loudly on the first invocation.
const environment = requiredEnvironment(['LAKE_BUCKET', 'SNOWFLAKE_SECRET_ARN']);
const logger = new Logger({ serviceName: 'lake-loader' });
const metrics = new Metrics({ namespace: 'SpotifyPipeline', serviceName: 'lake-loader' });
// LAKE_S3_ENDPOINT points the function at an S3-compatible server (path-style); unset on AWS.
const s3 = process.env.LAKE_S3_ENDPOINT
  ? new S3Client({ endpoint: process.env.LAKE_S3_ENDPOINT, forcePathStyle: true })
  : new S3Client({});
const secrets = new SecretsManagerClient({});
const HOUR_MS = 3_600_000;
/** Hours this far back are looked at on every run: late files for old hours are still picked up. */
const LOOKBACK_MS = 7 * 24 * HOUR_MS;

/** What the hourly EventBridge rule (or the state machine) sends: only its time is used. */
export interface LoadTrigger {
  readonly time?: string;
}

/**
 * The hourly loader: the lake's new files of closed hours into Snowflake, exactly once. Its result
 * (files, rows, the UTC days touched) is what the transformation state machine is started with.
 */
export async function handler(trigger: LoadTrigger): Promise<LoadSummary> {
  const parsedTime = trigger.time === undefined ? Number.NaN : Date.parse(trigger.time);
  const nowMs = Number.isNaN(parsedTime) ? Date.now() : parsedTime;
  const warehouse = await openSnowflakeWarehouse(
    await snowflakeSettingsFromSecret(secrets, environment.SNOWFLAKE_SECRET_ARN),
  );
  try {
    const summary = await loadLake({
      warehouse,
      stager: new SnowflakeLakeStager(warehouse),
      s3,
      bucket: environment.LAKE_BUCKET,
      window: { fromMs: Math.floor((nowMs - LOOKBACK_MS) / HOUR_MS) * HOUR_MS, toMs: nowMs + HOUR_MS },
      nowMs,
      includeOpenHour: false,
    });
    metrics.addMetric('FilesLoaded', MetricUnit.Count, summary.filesLoaded);
    metrics.addMetric('RowsInserted', MetricUnit.Count, summary.rowsInserted);
    metrics.addMetric('LinesRejected', MetricUnit.Count, summary.linesRejected);
    metrics.publishStoredMetrics();
    logger.info('load finished', { ...summary });
    return summary;
  } finally {
    await warehouse.close();
  }
}
