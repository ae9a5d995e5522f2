import { existsSync } from 'node:fs';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  listValue,
} from '@duckdb/node-api';
import type { SqlValue, Warehouse } from '../../lambdas/shared/warehouse/warehouse.js';

/**
 * The storage format a new warehouse file is written in. DuckDB's default is still v0.10.2's, for
 * old readers, which lacks the newer string compression: bronze and silver are mostly strings, so
 * v1.5.0's writes them faster and into a smaller file. Named, not `latest`, so that upgrading the
 * library never changes the format of new files unannounced. A file made before keeps its format;
 * DuckDB 1.5 or later reads these.
 */
export const DUCKDB_STORAGE_VERSION = 'v1.5.0';

/** How opening a DuckDB file waits while another process has it open. */
export interface DuckDbOpenOptions {
  /**
   * A DuckDB file has one writing process at a time: another command (a load, a run) holding it
   * makes the open wait, up to this long, for it to finish. The local pipeline's commands wait:
   * that is their lease, as the state machine's DynamoDB lease is on AWS.
   * @default 0 - fail at once
   */
  readonly waitForLockMs?: number;
  /** Told once when the open starts waiting, with what holds the file. */
  readonly onWaiting?: (holder: string) => void;
}

const LOCK_RETRY_MS = 200;

/** The error DuckDB gives when another process holds the file. */
export class WarehouseFileLockedError extends Error {
  override readonly name = 'WarehouseFileLockedError';
}

/**
 * The embedded local warehouse: DuckDB in one file (or `:memory:`). Opening it runs `setupSql`
 * (the Snowflake-compatibility macros) so that the project's Snowflake-dialect SQL runs unchanged.
 */
export async function openDuckDbWarehouse(
  path: string,
  setupSql: readonly string[] = [],
  options: DuckDbOpenOptions = {},
): Promise<DuckDbWarehouse> {
  const { instance, connection } = await openDatabaseWaitingForLock(path, options);
  for (const statement of setupSql) await connection.run(statement);
  return new DuckDbWarehouse(instance, connection);
}

/**
 * The catalog a warehouse file is attached as. DuckDB would otherwise name it after the file, and
 * a file called gold.duckdb (or silver, bronze…) makes every `gold.table` ambiguous between the
 * catalog and the schema.
 */
const WAREHOUSE_CATALOG = 'warehouse';

interface OpenDatabase {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
}

async function openDatabase(path: string): Promise<OpenDatabase> {
  if (path === ':memory:') {
    const instance = await DuckDBInstance.create(path);
    return { instance, connection: await instance.connect() };
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // The storage version is for a file made now; an existing file keeps the format it has.
    const creating = existsSync(path) ? '' : ` (STORAGE_VERSION '${DUCKDB_STORAGE_VERSION}')`;
    await connection.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${WAREHOUSE_CATALOG}${creating}`);
    await connection.run(`USE ${WAREHOUSE_CATALOG}`);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return { instance, connection };
}

async function openDatabaseWaitingForLock(path: string, options: DuckDbOpenOptions): Promise<OpenDatabase> {
  const deadline = Date.now() + (options.waitForLockMs ?? 0);
  let told = false;
  for (;;) {
    try {
      return await openDatabase(path);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/Could not set lock on file/.test(message)) throw error;
      const holder =
        /Conflicting lock is held in (.+?)\.?(?: See also|$)/.exec(message)?.[1]?.trim() ?? 'another process';
      if (Date.now() >= deadline)
        throw new WarehouseFileLockedError(`${path} is open in ${holder}`, { cause: error });
      if (!told) options.onWaiting?.(holder);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
}

/** The DuckDB warehouse, with bulk appends besides the port's operations. */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  private transactionDepth = 0;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  async execute(sql: string, binds: readonly SqlValue[] = []): Promise<void> {
    await this.connection.run(sql, binds.length > 0 ? toDuckDbValues(binds) : undefined);
  }

  async executeMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
    if (rows.length === 0) return;
    const prepared = await this.connection.prepare(sql);
    try {
      for (const row of rows) {
        prepared.bind(toDuckDbValues(row));
        await prepared.run();
      }
    } finally {
      prepared.destroySync();
    }
  }

  async query<Row extends Record<string, unknown>>(
    sql: string,
    binds: readonly SqlValue[] = [],
  ): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(
      sql,
      binds.length > 0 ? toDuckDbValues(binds) : undefined,
    );
    return reader.getRowObjectsJS().map(withSafeIntegersAsNumbers) as Row[];
  }

  async inTransaction<T>(work: () => Promise<T>): Promise<T> {
    // DuckDB has no nested transactions: an inner call joins the outer one.
    if (this.transactionDepth > 0) return work();
    await this.connection.run('BEGIN TRANSACTION');
    this.transactionDepth++;
    try {
      const result = await work();
      await this.connection.run('COMMIT');
      return result;
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    } finally {
      this.transactionDepth--;
    }
  }

  /** Runs a statement whose one `?` takes a list of strings (`SET VARIABLE files = ?`). */
  async executeWithStringList(sql: string, values: readonly string[]): Promise<void> {
    await this.connection.run(sql, [listValue([...values])]);
  }

  /**
   * Appends rows to a table through DuckDB's appender, in the connection's current transaction:
   * the rows go into the table's columns in bulk, with none of the parsing and planning one INSERT
   * per row would pay for each row.
   */
  async append(schema: string, table: string, fill: (appender: DuckDBAppender) => void): Promise<void> {
    const appender = await this.connection.createAppender(table, schema);
    try {
      fill(appender);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB returns BIGINT (COUNT, SUM) as bigint; within 2^53 a number says the same and serialises to JSON. */
function withSafeIntegersAsNumbers(row: Record<string, unknown>): Record<string, unknown> {
  for (const [column, value] of Object.entries(row)) {
    if (
      typeof value === 'bigint' &&
      value <= BigInt(Number.MAX_SAFE_INTEGER) &&
      value >= BigInt(Number.MIN_SAFE_INTEGER)
    ) {
      row[column] = Number(value);
    }
  }
  return row;
}

function toDuckDbValues(binds: readonly SqlValue[]): DuckDBValue[] {
  return binds.map((value) => value as DuckDBValue);
}
