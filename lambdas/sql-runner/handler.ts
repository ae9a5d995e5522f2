import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PIPELINE_METRICS_NAMESPACE, SQL_RUNNER_SERVICE } from '../shared/runtime/pipeline-metrics.js';
import {
  parseTransformationStep,
  runTransformationStep,
  type TransformationStepResult,
} from '../shared/transform/run-transformation-step.js';
import {
  deployedSnowflakeEnvironment,
  openDeployedSnowflake,
} from '../shared/warehouse/deployed-snowflake.js';
import { publishStepMetrics } from './step-metrics.js';

// Read once at cold start, so that a missing setting fails loudly on the first invocation.
const environment = deployedSnowflakeEnvironment();
const logger = new Logger({ serviceName: SQL_RUNNER_SERVICE });
const metrics = new Metrics({ namespace: PIPELINE_METRICS_NAMESPACE, serviceName: SQL_RUNNER_SERVICE });
const secrets = new SecretsManagerClient({});

/**
 * One task of the transformation state machine: a model of `sql/manifest.json` (its statements in
 * one transaction), a data-quality test, or a question to the warehouse, on Snowflake. A failing
 * test throws DataQualityError naming the test, its count of rows and their query; that becomes the
 * execution's cause. The audit publishes its `Unexplained` records as a metric, and the pending-work
 * check how far gold lags bronze, `GoldLagSeconds` (the age of the oldest load gold does not
 * reflect yet; 0 when none), both in the embedded metric format (step-metrics.ts).
 */
export async function handler(payload: unknown): Promise<TransformationStepResult> {
  const step = parseTransformationStep(payload);
  const warehouse = await openDeployedSnowflake(secrets, environment);
  try {
    const startedAt = Date.now();
    const result = await runTransformationStep(warehouse, step);
    publishStepMetrics(metrics, result);
    logger.info('step finished', { ...result, durationMs: Date.now() - startedAt });
    return result;
  } finally {
    await warehouse.close();
  }
}
