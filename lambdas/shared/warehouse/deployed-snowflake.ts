import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requiredEnvironment } from '../runtime/required-environment.js';
import { snowflakeSettingsFromSecret } from './snowflake-settings.js';
import { openSnowflakeWarehouse, type SnowflakeSessionTimeouts } from './snowflake-warehouse.js';
import type { Warehouse } from './warehouse.js';

/**
 * Reaching Snowflake failed before any statement ran: retrying is safe, so the state machine
 * retries this error (and only this one besides Lambda's own) with backoff.
 */
export class WarehouseConnectionError extends Error {
  override readonly name = 'WarehouseConnectionError';
}

/** What a deployed warehouse function needs to log in: read once, at cold start. */
export interface DeployedSnowflakeEnvironment {
  readonly secretArn: string;
  readonly timeouts: SnowflakeSessionTimeouts;
}

/**
 * SNOWFLAKE_SECRET_ARN, SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS and SNOWFLAKE_LOCK_TIMEOUT_SECONDS, as
 * the function's construct sets them (lib/warehouse/warehouse-sql-function.ts); a missing or
 * malformed one fails the cold start, naming it.
 */
export function deployedSnowflakeEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): DeployedSnowflakeEnvironment {
  const values = requiredEnvironment(
    ['SNOWFLAKE_SECRET_ARN', 'SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS', 'SNOWFLAKE_LOCK_TIMEOUT_SECONDS'],
    environment,
  );
  const seconds = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name} is "${values[name]}": the deployment must set whole seconds, at least 1`);
    return value;
  };
  return {
    secretArn: values.SNOWFLAKE_SECRET_ARN,
    timeouts: {
      statementSeconds: seconds('SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS'),
      lockSeconds: seconds('SNOWFLAKE_LOCK_TIMEOUT_SECONDS'),
    },
  };
}

/** Opens Snowflake with the secret's settings and the session timeouts; any failure is a WarehouseConnectionError. */
export async function openDeployedSnowflake(
  secrets: SecretsManagerClient,
  environment: DeployedSnowflakeEnvironment,
): Promise<Warehouse> {
  try {
    return await openSnowflakeWarehouse(
      await snowflakeSettingsFromSecret(secrets, environment.secretArn),
      environment.timeouts,
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WarehouseConnectionError(`could not open the Snowflake warehouse: ${detail}`, { cause: error });
  }
}
