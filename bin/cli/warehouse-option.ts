import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Option } from 'commander';
import { snowflakeSettingsFromSecret } from '../../lambdas/shared/warehouse/snowflake-settings.js';
import {
  openSnowflakeWarehouse,
  type SnowflakeSettings,
} from '../../lambdas/shared/warehouse/snowflake-warehouse.js';
import { DEFAULT_SQL_DIR, readDuckDbCompatibilitySql } from '../../lambdas/shared/warehouse/sql-files.js';
import type { Warehouse } from '../../lambdas/shared/warehouse/warehouse.js';
import { type DuckDbWarehouse, openDuckDbWarehouse } from '../../local/warehouse/duckdb-warehouse.js';
import { CliError } from './cli-error.js';
import { NotADuckDbFileError, snowflakeConnectFailure, WAREHOUSE_WAIT_VARIABLE } from './failure-messages.js';

const WAREHOUSE_FLAG_HELP = 'where the warehouse is: duckdb:PATH (a local DuckDB file) or snowflake';

/** `--warehouse duckdb:PATH|snowflake`; `description` where a command takes only some of them. */
export function warehouseOption(description = WAREHOUSE_FLAG_HELP): Option {
  return new Option('--warehouse <target>', description).makeOptionMandatory();
}

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
  return openLocalWarehouse(path);
}

/** How long a command waits for another that has the warehouse file open (a load, a run), unless set. */
const DEFAULT_WAREHOUSE_WAIT_SECONDS = 600;

/** The wait SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS asks for (0: fail at once), or the default. */
export function warehouseWaitMs(environment: NodeJS.ProcessEnv = process.env): number {
  const text = environment[WAREHOUSE_WAIT_VARIABLE];
  if (text === undefined || text === '') return DEFAULT_WAREHOUSE_WAIT_SECONDS * 1000;
  if (!/^\d+$/.test(text))
    throw new CliError(
      `${WAREHOUSE_WAIT_VARIABLE} is "${text}": it is a whole number of seconds`,
      `e.g. ${WAREHOUSE_WAIT_VARIABLE}=60, or 0 to fail at once while another command has the file open`,
    );
  return Number(text) * 1000;
}

/**
 * Opens (creating it when missing) a local DuckDB warehouse with the compatibility macros. While
 * another command has the file open, it waits, saying so: two runs started together take turns,
 * as two state machine executions do behind their lease. A file still in use, damaged or of a newer
 * DuckDB is explained by the CLI's one place for failures (failure-messages.ts).
 */
export async function openLocalWarehouse(path: string): Promise<DuckDbWarehouse> {
  requireDuckDbFileOrNone(path);
  return openDuckDbWarehouse(path, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR), {
    waitForLockMs: warehouseWaitMs(),
    onWaiting: (holder) =>
      process.stderr.write(`waiting for ${holder}, which has the warehouse file ${path} open\n`),
  });
}

/**
 * DuckDB opens an existing CSV, JSON or Parquet file as an in-memory database over its rows: a
 * warehouse "opened" that way would take a load and lose it at exit. So an existing file must carry
 * DuckDB's header (the magic `DUCK` after the first 8 bytes) before DuckDB is given it.
 */
function requireDuckDbFileOrNone(path: string): void {
  if (!existsSync(path)) return;
  const header = Buffer.alloc(12);
  const file = openSync(path, 'r');
  try {
    readSync(file, header, 0, header.length, 0);
  } finally {
    closeSync(file);
  }
  if (header.toString('latin1', 8, 12) !== 'DUCK') throw new NotADuckDbFileError(path);
}

/** A person at a terminal is told soon that Snowflake does not answer, rather than after minutes of retries. */
const CLI_SNOWFLAKE_LOGIN_RETRIES = 2;

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
    return await openSnowflakeWarehouse(settings, undefined, { loginRetries: CLI_SNOWFLAKE_LOGIN_RETRIES });
  } catch (error) {
    throw snowflakeConnectFailure(error, settings);
  }
}

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
