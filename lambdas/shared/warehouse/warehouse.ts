/**
 * The warehouse port: the loader, the transformation runner and the report talk to Snowflake and
 * to the embedded DuckDB through this, with the same SQL (written in Snowflake's dialect; DuckDB
 * gets the few Snowflake functions it lacks as macros).
 */

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | boolean | null;

export type WarehouseDialect = 'duckdb' | 'snowflake';

export interface Warehouse {
  readonly dialect: WarehouseDialect;
  /** Runs one statement, with values bound to its `?` placeholders in order. */
  execute(sql: string, binds?: readonly SqlValue[]): Promise<void>;
  /**
   * Runs one statement once for each row of values, in as few requests as the engine allows: on
   * Snowflake one round trip per thousands of rows (array binding), not one per row.
   */
  executeMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /** Runs one query and returns its rows as objects keyed by column name (lower case). */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    binds?: readonly SqlValue[],
  ): Promise<Row[]>;
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  inTransaction<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
