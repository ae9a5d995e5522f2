import type { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { BRONZE_PREFIX } from '../../lambdas/shared/lake/lake-layout.js';
import {
  DEFAULT_SQL_DIR,
  readDuckDbCompatibilitySql,
  readSqlStatement,
} from '../../lambdas/shared/warehouse/sql-files.js';
import type { SqlValue } from '../../lambdas/shared/warehouse/warehouse.js';
import { DUCKDB_STORAGE_VERSION, DuckDbWarehouse } from '../../local/warehouse/duckdb-warehouse.js';
import { emulatedStagingArea } from './copy-into-staging-emulator.js';
import {
  type CapturedStatement,
  type FakeColumnType,
  type FakeFailure,
  type FakeResult,
  FakeSnowflakeServer,
} from './fake-snowflake-server.js';

/**
 * A Snowflake endpoint whose statements run on DuckDB: snowflake-sdk logs in to it with a key pair
 * and sends its statements over Snowflake's protocol, and each one is executed, with its binds
 * (array binding too), on a DuckDB database with the project's compatibility macros, one DuckDB
 * connection per Snowflake session, so transactions are real. What a statement returns is what
 * DuckDB computed, never a canned answer.
 *
 * Three kinds of statement only Snowflake can run are played instead, each by what it does:
 * - `ALTER SESSION SET ...`: the settings are recorded (sessionSettings) and acknowledged;
 * - `CREATE TEMPORARY TABLE ... bronze.load_staging`: DuckDB's staging table of the same columns
 *   (sql/loader/duckdb/create_load_staging.sql);
 * - `COPY INTO bronze.load_staging ... FILES = (...)`: the named files read from the lake and
 *   staged by the COPY emulator, which fails with Snowflake's wording for a file it cannot read.
 */
export class SnowflakeOverDuckDb {
  readonly server: FakeSnowflakeServer;
  /** Every `ALTER SESSION SET` received, as sent. */
  readonly sessionSettings: string[] = [];
  private readonly sessions = new Map<number, Promise<DuckDbWarehouse>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private lake: { readonly s3: S3Client; readonly bucket: string } | undefined,
  ) {
    this.server = new FakeSnowflakeServer((statement, session) => this.run(statement, session));
  }

  /** A database at `path` (or in memory), and the lake COPY reads from, if any. */
  static async open(
    path: string,
    lake?: { readonly s3: S3Client; readonly bucket: string },
  ): Promise<SnowflakeOverDuckDb> {
    const instance = await DuckDBInstance.create(path, {
      storage_compatibility_version: DUCKDB_STORAGE_VERSION,
    });
    return new SnowflakeOverDuckDb(instance, lake);
  }

  /** The accessUrl to give the Snowflake adapter. */
  start(): Promise<string> {
    return this.server.start();
  }

  /** COPY reads the lake with `s3` from now on: as the storage integration's role, in a test of IAM. */
  readLakeWith(s3: S3Client): void {
    if (this.lake === undefined) throw new Error('this Snowflake was opened without a lake');
    this.lake = { ...this.lake, s3 };
  }

  /** A connection of its own, for the test to read what the statements left. */
  async reader(): Promise<DuckDbWarehouse> {
    return this.connect();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    for (const session of this.sessions.values()) await (await session).close().catch(() => {});
    this.instance.closeSync();
  }

  private async connect(): Promise<DuckDbWarehouse> {
    const connection = await this.instance.connect();
    for (const statement of readDuckDbCompatibilitySql(DEFAULT_SQL_DIR)) await connection.run(statement);
    // Closing the warehouse would close the shared instance too: only the connection is this session's.
    const warehouse = new DuckDbWarehouse(this.instance, connection);
    warehouse.close = async () => connection.closeSync();
    return warehouse;
  }

  private session(session: number): Promise<DuckDbWarehouse> {
    let warehouse = this.sessions.get(session);
    if (warehouse === undefined) {
      warehouse = this.connect();
      this.sessions.set(session, warehouse);
    }
    return warehouse;
  }

  private async run(
    statement: CapturedStatement,
    session: number,
  ): Promise<FakeResult | FakeFailure | undefined> {
    const warehouse = await this.session(session);
    const sql = statement.sql.trim();
    try {
      if (/^ALTER\s+SESSION\s+SET\s/i.test(sql)) {
        this.sessionSettings.push(sql);
        return undefined;
      }
      if (/^CREATE\s+TEMPORARY\s+TABLE\s+IF\s+NOT\s+EXISTS\s+bronze\.load_staging\b/i.test(sql)) {
        await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/create_load_staging.sql'));
        return undefined;
      }
      if (/^COPY\s+INTO\s+bronze\.load_staging\b/i.test(sql)) {
        if (this.lake === undefined) return { error: 'this endpoint was opened without a lake to COPY from' };
        const names = [...(/FILES\s*=\s*\(([^)]*)\)/i.exec(sql)?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
          (match) => `${BRONZE_PREFIX}${match[1]}`,
        );
        await emulatedStagingArea(this.lake.s3, this.lake.bucket).copy(warehouse, names);
        return undefined;
      }
      const binds = statement.binds as readonly unknown[];
      if (binds.length > 0 && Array.isArray(binds[0])) {
        // Array binding: one array per placeholder, a row per position.
        const columns = binds as readonly (readonly SqlValue[])[];
        const rows = columns[0]!.map((_, row) => columns.map((column) => column[row] ?? null));
        await warehouse.executeMany(sql, rows);
        return undefined;
      }
      const rows = await warehouse.query(sql, binds as readonly SqlValue[]);
      const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
      const types = columns.map((column) => snowflakeTypeOf(rows.map((row) => row[column])));
      return {
        columns: columns.map((column) => column.toUpperCase()),
        rows: rows.map((row) => columns.map((column, index) => encoded(row[column], types[index]!))),
        types,
      };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * The Snowflake type a column of DuckDB values comes back as: whole numbers as NUMBER (`fixed`),
 * other numbers as FLOAT (`real`), times at midnight UTC as DATE and other times as TIMESTAMP_NTZ
 * (the driver makes a JavaScript Date of either, so a midnight TIMESTAMP_NTZ sent as a DATE reads
 * back the same), everything else as text.
 */
function snowflakeTypeOf(values: readonly unknown[]): FakeColumnType {
  const present = values.filter((value) => value !== null && value !== undefined);
  const all = (test: (value: unknown) => boolean) => present.length > 0 && present.every(test);
  if (all((value) => typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))))
    return { type: 'fixed', scale: 0, precision: 38 };
  if (all((value) => typeof value === 'number')) return { type: 'real', scale: null, precision: null };
  if (all((value) => typeof value === 'boolean')) return { type: 'boolean', scale: null, precision: null };
  if (all((value) => value instanceof Date && value.getTime() % DAY_MS === 0))
    return { type: 'date', scale: null, precision: null };
  if (all((value) => value instanceof Date)) return { type: 'timestamp_ntz', scale: 3, precision: null };
  return { type: 'text', scale: null, precision: null };
}

/** A value as Snowflake's JSON result format carries a column of that type: text, or null. */
function encoded(value: unknown, column: FakeColumnType): string | null {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'fixed':
    case 'real':
      return String(value);
    case 'boolean':
      return value ? '1' : '0';
    case 'date':
      return String((value as Date).getTime() / DAY_MS);
    case 'timestamp_ntz':
      return ((value as Date).getTime() / 1000).toFixed(3);
    default:
      if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}
