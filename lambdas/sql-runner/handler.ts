import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  parseTransformationStep,
  runTransformationStep,
  type TransformationStepResult,
} from '../shared/transform/run-transformation-step.js';
import {
  deployedSnowflakeEnvironment,
  openDeployedSnowflake,
} from '../shared/warehouse/deployed-snowflake.js';

// Read once at cold start, so that a missing setting fails loudly on the first invocation.
const environment = deployedSnowflakeEnvironment();
const logger = new Logger({ serviceName: 'sql-runner' });
const secrets = new SecretsManagerClient({});

/**
 * One task of the transformation state machine: a model of `sql/manifest.json` (its statements in
 * one transaction) or a data-quality test, on Snowflake. A failing test throws DataQualityError
 * naming the test and a sample of its rows; that becomes the execution's cause.
 */
export async function handler(payload: unknown): Promise<TransformationStepResult> {
  const step = parseTransformationStep(payload);
  const warehouse = await openDeployedSnowflake(secrets, environment);
  try {
    const startedAt = Date.now();
    const result = await runTransformationStep(warehouse, step);
    logger.info('step finished', { ...result, durationMs: Date.now() - startedAt });
    return result;
  } finally {
    await warehouse.close();
  }
}
