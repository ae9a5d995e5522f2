import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
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
const stepFunctions = new SFNClient({});
const HOUR_MS = 3_600_000;
/** Hours this far back are looked at on every run: late files for old hours are still picked up. */
const LOOKBACK_MS = 7 * 24 * HOUR_MS;

/** What the hourly EventBridge rule (or the state machine) sends: only its time is used. */
export interface LoadTrigger {
  readonly time?: string;
}

/** What the transformation state machine is started with. */
export interface TransformationInput {
  readonly fullRefresh: false;
  readonly load: LoadSummary;
}

/**
 * The hourly loader: the lake's new files of closed hours into Snowflake, exactly once. When rows
 * arrived and TRANSFORMATION_STATE_MACHINE_ARN is set, it then starts the transformation state
 * machine with the load's summary.
 *
 * Freshness: before loading, it publishes how many files are due and the age of the oldest
 * (OldestUnloadedFileAgeSeconds), so a load that then fails still reports what waits; a run that
 * never gets that far publishes nothing, which the freshness alarm treats as breaching.
 */
export async function handler(
  trigger: LoadTrigger,
  context: Pick<Context, 'awsRequestId'>,
): Promise<LoadSummary> {
  const parsedTime = trigger.time === undefined ? Number.NaN : Date.parse(trigger.time);
  const nowMs = Number.isNaN(parsedTime) ? Date.now() : parsedTime;
  const warehouse = await openSnowflakeWarehouse(
    await snowflakeSettingsFromSecret(secrets, environment.SNOWFLAKE_SECRET_ARN),
  );
  try {
    const summary = await loadLake({
      warehouse,
      stager: new SnowflakeLakeStager(warehouse, { s3, bucket: environment.LAKE_BUCKET }),
      s3,
      bucket: environment.LAKE_BUCKET,
      window: { fromMs: Math.floor((nowMs - LOOKBACK_MS) / HOUR_MS) * HOUR_MS, toMs: nowMs + HOUR_MS },
      nowMs,
      includeOpenHour: false,
      reportBacklog: (backlog) => {
        metrics.addMetric('UnloadedFiles', MetricUnit.Count, backlog.files);
        metrics.addMetric('OldestUnloadedFileAgeSeconds', MetricUnit.Seconds, backlog.oldestFileAgeMs / 1000);
        metrics.publishStoredMetrics();
      },
    });
    metrics.addMetric('FilesLoaded', MetricUnit.Count, summary.filesLoaded);
    metrics.addMetric('RowsInserted', MetricUnit.Count, summary.rowsInserted);
    metrics.addMetric('LinesRejected', MetricUnit.Count, summary.linesRejected);
    metrics.publishStoredMetrics();
    logger.info('load finished', { ...summary });
    if (summary.rowsInserted > 0) await startTransformation(summary, context.awsRequestId);
    return summary;
  } finally {
    await warehouse.close();
  }
}

/**
 * Starts the transformation state machine once per invocation: the execution is named after the
 * request id, which Lambda keeps when it retries an asynchronous invocation, so a retried load
 * cannot start a second run. No run starts while another is still going (two incremental runs
 * would stage the same bronze rows), nor after a load that found nothing new (each run resumes
 * the warehouse). Rows a run did not start for are not lost: every run processes all the bronze
 * rows not yet in silver, so the next load's run takes them.
 */
async function startTransformation(summary: LoadSummary, requestId: string): Promise<void> {
  const stateMachineArn = process.env.TRANSFORMATION_STATE_MACHINE_ARN;
  if (!stateMachineArn) return;
  const running = await stepFunctions.send(
    new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }),
  );
  const runningExecution = running.executions?.[0];
  if (runningExecution !== undefined) {
    logger.info('transformation still running: the next load starts the run that takes these rows', {
      runningExecutionArn: runningExecution.executionArn,
    });
    return;
  }
  const input: TransformationInput = { fullRefresh: false, load: summary };
  try {
    const started = await stepFunctions.send(
      new StartExecutionCommand({ stateMachineArn, name: `load-${requestId}`, input: JSON.stringify(input) }),
    );
    logger.info('transformation started', { executionArn: started.executionArn });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    logger.info('transformation already started for this load', { requestId });
  }
}
