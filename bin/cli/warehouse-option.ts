import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { snowflakeSettingsFromSecret } from '../../lambdas/shared/warehouse/snowflake-settings.js';
import {
  openSnowflakeWarehouse,
  type SnowflakeSettings,
} from '../../lambdas/shared/warehouse/snowflake-warehouse.js';
import { DEFAULT_SQL_DIR, readDuckDbCompatibilitySql } from '../../lambdas/shared/warehouse/sql-files.js';
import type { Warehouse } from '../../lambdas/shared/warehouse/warehouse.js';
import {
  type DuckDbWarehouse,
  openDuckDbWarehouse,
  WarehouseFileLockedError,
} from '../../local/warehouse/duckdb-warehouse.js';
import { CliError } from './cli-error.js';

export const WAREHOUSE_FLAG_HELP = 'where the warehouse is: duckdb:PATH (a local DuckDB file) or snowflake';

/**
 * Opens the warehouse a `--warehouse` flag names. `duckdb:PATH` opens an existing DuckDB file with
 * the Snowflake-compatibility macros. `snowflake` opens the deployment's Snowflake for commands
 * that only read gold (`readsOnly`); the others are refused with what to do instead: on AWS the
 * state machine changes Snowflake, behind its lease.
 */
export async function openWarehouseFromFlag(
  flag: string,
  { readsOnly = false }: { readonly readsOnly?: boolean } = {},
): Promise<Warehouse> {
  if (flag === 'snowflake' && readsOnly) return openSnowflakeFromEnvironment();
  if (flag === 'snowflake' || flag.startsWith('snowflake:')) {
    throw new CliError(
      '--warehouse snowflake: this command cannot reach Snowflake: it needs the deployed stack and its credentials',
      'on AWS the Step Functions state machine runs the same SQL; locally, use --warehouse duckdb:PATH',
    );
  }
  const match = /^duckdb:(.+)$/.exec(flag);
  if (!match) {
    throw new CliError(
      `--warehouse "${flag}" is not duckdb:PATH or snowflake`,
      'e.g. --warehouse duckdb:.cache/warehouse.duckdb',
    );
  }
  const path = resolve(match[1]!);
  if (!existsSync(path)) {
    throw new CliError(
      `--warehouse ${flag}: there is no DuckDB file at ${path}`,
      'load events into the local warehouse first, or give the path of the file the loader wrote',
    );
  }
  try {
    return await openLocalWarehouse(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `--warehouse ${flag}: cannot open ${path} as DuckDB: ${detail}`,
      'check that the file is a DuckDB database and that no other process holds it open for writing',
      1,
    );
  }
}

/** How long a command waits for another that has the warehouse file open (a load, a run). */
const WAREHOUSE_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Opens (creating it when missing) a local DuckDB warehouse with the compatibility macros. While
 * another command has the file open, it waits, saying so: two runs started together take turns,
 * as two state machine executions do behind their lease.
 */
export async function openLocalWarehouse(path: string): Promise<DuckDbWarehouse> {
  try {
    return await openDuckDbWarehouse(path, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR), {
      waitForLockMs: WAREHOUSE_LOCK_WAIT_MS,
      onWaiting: (holder) =>
        process.stderr.write(`waiting for ${holder}, which has the warehouse file ${path} open\n`),
    });
  } catch (error) {
    if (!(error instanceof WarehouseFileLockedError)) throw error;
    throw new CliError(
      `the warehouse file is still in use after ${WAREHOUSE_LOCK_WAIT_MS / 60_000} minutes: ${error.message}`,
      'wait for that command to finish (or stop it), then run this one again',
      1,
    );
  }
}

/** Snowflake from this machine: the same secret the deployed functions read, named by SNOWFLAKE_SECRET_ID. */
export async function openSnowflakeFromEnvironment(): Promise<Warehouse> {
  const secretId = process.env.SNOWFLAKE_SECRET_ID;
  if (!secretId) {
    throw new CliError(
      '--warehouse snowflake needs the Snowflake secret: SNOWFLAKE_SECRET_ID is not set',
      'set SNOWFLAKE_SECRET_ID to the secret the stack created (README: Snowflake prerequisites), with AWS credentials that can read it',
    );
  }
  let settings: SnowflakeSettings;
  try {
    settings = await snowflakeSettingsFromSecret(new SecretsManagerClient({}), secretId);
  } catch (error) {
    throw new CliError(
      `cannot read the Snowflake secret ${secretId}: ${messageOf(error)}`,
      'check SNOWFLAKE_SECRET_ID, and that the AWS credentials and region in use can read that secret',
      1,
    );
  }
  try {
    return await openSnowflakeWarehouse(settings);
  } catch (error) {
    const where = `account ${settings.account} as ${settings.username}`;
    if (LOGIN_REFUSED.test(messageOf(error)) || (error as { code?: unknown }).code === '390100')
      throw new CliError(
        `Snowflake refused the login (${where}): ${messageOf(error)}`,
        "check that the secret's private_key is the key whose public half is set on that user (README: Snowflake prerequisites)",
        1,
      );
    throw new CliError(
      `could not reach Snowflake (${where}): ${messageOf(error)}`,
      "check this machine's network path to Snowflake, and the account (and access_url, if any) in the secret",
      1,
    );
  }
}

/** How Snowflake words a refused key-pair login. */
const LOGIN_REFUSED = /Incorrect username or password|JWT token is invalid|User temporarily locked/i;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `schema.table` exists in the warehouse (both warehouses have information_schema). */
export async function tableExists(warehouse: Warehouse, schema: string, table: string): Promise<boolean> {
  const rows = await warehouse.query(
    'SELECT 1 AS found FROM information_schema.tables WHERE LOWER(table_schema) = ? AND LOWER(table_name) = ?',
    [schema, table],
  );
  return rows.length > 0;
}

/** Where `--warehouse` points: an embedded DuckDB file, or the Snowflake account of the deployment. */
export type WarehouseTarget =
  | { readonly kind: 'duckdb'; readonly path: string }
  | { readonly kind: 'snowflake' };

export function parseWarehouseOption(text: string): WarehouseTarget {
  if (text === 'snowflake') return { kind: 'snowflake' };
  if (text.startsWith('duckdb:') && text.length > 'duckdb:'.length)
    return { kind: 'duckdb', path: text.slice('duckdb:'.length) };
  throw new CliError(
    `--warehouse "${text}" is neither duckdb:PATH nor snowflake`,
    'e.g. --warehouse duckdb:.cache/warehouse.duckdb',
  );
}
