import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { PIPELINE_METRICS_NAMESPACE } from '../shared/runtime/pipeline-metrics.js';
import { requiredEnvironment } from '../shared/runtime/required-environment.js';
import {
  deployedSnowflakeEnvironment,
  openDeployedSnowflake,
} from '../shared/warehouse/deployed-snowflake.js';
import { type LoadSummary, loadLake } from './load-lake.js';
import { SnowflakeLakeStager } from './snowflake-lake-stager.js';

// Read once at cold start, so that a missing setting fails loudly on the first invocation.
const environment = requiredEnvironment(['LAKE_BUCKET']);
const snowflakeEnvironment = deployedSnowflakeEnvironment();
const logger = new Logger({ serviceName: 'lake-loader' });
const metrics = new Metrics({ namespace: PIPELINE_METRICS_NAMESPACE, serviceName: 'lake-loader' });
// LAKE_S3_ENDPOINT points the function at an S3-compatible server (path-style); unset on AWS.
const s3 = process.env.LAKE_S3_ENDPOINT
  ? new S3Client({ endpoint: process.env.LAKE_S3_ENDPOINT, forcePathStyle: true })
  : new S3Client({});
const secrets = new SecretsManagerClient({});

/** What the pipeline's state machine sends: its execution's name, which names this run's loads. */
export interface LoadRequest {
  readonly runId?: string;
}

/**
 * The load step of the pipeline's state machine: every lake file that arrived since the last load
 * (found through the consumer's arrival manifests) into Snowflake, exactly once. It starts nothing
 * else: the state machine runs the transformation after it.
 *
 * Freshness: before loading, it publishes how many files are due and the age of the oldest
 * (OldestUnloadedFileAgeSeconds), so a load that then fails still reports what waits; a run that
 * never gets that far publishes nothing, which the freshness alarm treats as breaching.
 *
 * Time: it starts another load transaction only while half of the statement timeout remains, so
 * Lambda's timeout never cuts a transaction short (Snowflake would keep it, and its locks,
 * detached); the files left are reported and loaded first by the next run.
 */
export async function handler(
  request: LoadRequest,
  context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>,
): Promise<LoadSummary> {
  const runId =
    typeof request?.runId === 'string' && request.runId !== ''
      ? request.runId
      : `invoke-${context.awsRequestId}`;
  const warehouse = await openDeployedSnowflake(secrets, snowflakeEnvironment);
  try {
    const summary = await loadLake({
      warehouse,
      stager: new SnowflakeLakeStager(warehouse, { s3, bucket: environment.LAKE_BUCKET }),
      s3,
      bucket: environment.LAKE_BUCKET,
      source: { kind: 'arrivals' },
      runId,
      nowMs: Date.now(),
      hasTimeForAnotherTransaction: () =>
        context.getRemainingTimeInMillis() > (snowflakeEnvironment.timeouts.statementSeconds * 1000) / 2,
      reportBacklog: (backlog) => {
        metrics.addMetric('UnloadedFiles', MetricUnit.Count, backlog.files);
        metrics.addMetric('OldestUnloadedFileAgeSeconds', MetricUnit.Seconds, backlog.oldestFileAgeMs / 1000);
        metrics.publishStoredMetrics();
      },
    });
    for (const file of summary.skipped) logger.warn('lake file not loaded', { ...file });
    if (summary.filesLeftForNextRun > 0)
      logger.warn('out of time: files left for the next run', { files: summary.filesLeftForNextRun });
    metrics.addMetric('FilesLoaded', MetricUnit.Count, summary.filesLoaded);
    metrics.addMetric('RowsInserted', MetricUnit.Count, summary.rowsInserted);
    metrics.addMetric('LinesRejected', MetricUnit.Count, summary.linesRejected);
    metrics.addMetric('FilesSkipped', MetricUnit.Count, summary.skipped.length);
    metrics.addMetric('FilesLeftForNextRun', MetricUnit.Count, summary.filesLeftForNextRun);
    metrics.publishStoredMetrics();
    logger.info('load finished', { runId, ...summary });
    return summary;
  } finally {
    await warehouse.close();
  }
}
