import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requiredEnvironment } from '../shared/runtime/required-environment.js';
import {
  parseTransformationStep,
  runTransformationStep,
  type TransformationStepResult,
} from '../shared/transform/run-transformation-step.js';
import { snowflakeSettingsFromSecret } from '../shared/warehouse/snowflake-settings.js';
import { openSnowflakeWarehouse } from '../shared/warehouse/snowflake-warehouse.js';
import type { Warehouse } from '../shared/warehouse/warehouse.js';

// Read once at cold start, so that a missing setting fails loudly on the first invocation.
const environment = requiredEnvironment(['SNOWFLAKE_SECRET_ARN']);
const logger = new Logger({ serviceName: 'sql-runner' });
const secrets = new SecretsManagerClient({});

/**
 * Reaching Snowflake failed before any statement ran: retrying is safe, so the state machine
 * retries this error (and only this one besides Lambda's own) with backoff.
 */
export class WarehouseConnectionError extends Error {
  override readonly name = 'WarehouseConnectionError';
}

/**
 * One task of the transformation state machine: a model of `sql/manifest.json` (its statements in
 * one transaction) or a data-quality test, on Snowflake. A failing test throws DataQualityError
 * naming the test and a sample of its rows; that becomes the execution's cause.
 */
export async function handler(payload: unknown): Promise<TransformationStepResult> {
  const step = parseTransformationStep(payload);
  let warehouse: Warehouse;
  try {
    warehouse = await openSnowflakeWarehouse(
      await snowflakeSettingsFromSecret(secrets, environment.SNOWFLAKE_SECRET_ARN),
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WarehouseConnectionError(`could not open the Snowflake warehouse: ${detail}`, { cause: error });
  }
  try {
    const startedAt = Date.now();
    const result = await runTransformationStep(warehouse, step);
    logger.info('step finished', { ...result, durationMs: Date.now() - startedAt });
    return result;
  } finally {
    await warehouse.close();
  }
}
