import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { PIPELINE_METRICS_NAMESPACE } from '../shared/runtime/pipeline-metrics.js';
import { requiredEnvironment } from '../shared/runtime/required-environment.js';
import { consumeBatch } from './consume-batch.js';
import type { KafkaBatchResponse, MskEvent } from './msk-event.js';

// Read once at cold start: a missing setting fails the first invocation loudly, not a later write.
const environment = requiredEnvironment(['LAKE_BUCKET']);
const logger = new Logger({ serviceName: 'lake-consumer' });
const metrics = new Metrics({ namespace: PIPELINE_METRICS_NAMESPACE, serviceName: 'lake-consumer' });
// LAKE_S3_ENDPOINT points the function at an S3-compatible server (LocalStack, MinIO, moto), which
// is addressed by path, not by bucket host name. Unset on AWS.
const s3 = process.env.LAKE_S3_ENDPOINT
  ? new S3Client({ endpoint: process.env.LAKE_S3_ENDPOINT, forcePathStyle: true })
  : new S3Client({});

/**
 * The Lambda function behind the MSK event source: a thin adapter around consumeBatch. It returns
 * a partial batch response (ReportBatchItemFailures) naming the records to deliver again.
 */
export async function handler(event: MskEvent): Promise<KafkaBatchResponse> {
  const {
    response,
    metrics: batch,
    errors,
  } = await consumeBatch(event, { s3, bucket: environment.LAKE_BUCKET }, Date.now());
  for (const failure of errors)
    logger.error('could not write a lake object; its records will be delivered again', failure);
  metrics.addMetric('RecordsIn', MetricUnit.Count, batch.recordsIn);
  metrics.addMetric('RecordsValid', MetricUnit.Count, batch.valid);
  metrics.addMetric('RecordsQuarantined', MetricUnit.Count, batch.quarantined);
  metrics.addMetric('RecordsAlreadyInLake', MetricUnit.Count, batch.recordsAlreadyInLake);
  metrics.addMetric('ObjectsWritten', MetricUnit.Count, batch.objectsWritten);
  metrics.addMetric('BytesWritten', MetricUnit.Bytes, batch.bytesWritten);
  metrics.addMetric('FailedObjects', MetricUnit.Count, batch.failedObjects);
  metrics.publishStoredMetrics();
  logger.info('batch consumed', { ...batch });
  return response;
}
