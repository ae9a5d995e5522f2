import { describe, expect, it } from 'vitest';
import { LOAD_STAGING_COLUMN_KINDS } from '../../lambdas/loader/parse-bronze-file.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../../lambdas/shared/warehouse/sql-files.js';

/**
 * The `name TYPE [NOT NULL]` lines of a CREATE TABLE statement, in order. The staging table must be
 * declared twice (DuckDB cannot put a temporary table in the bronze schema, Snowflake's is the
 * session's own), so these tests hold the two declarations, and the loader's idea of them, together.
 */
function columnsOf(file: string): string[] {
  const body = /\(([\s\S]*)\)\s*$/.exec(readSqlStatement(DEFAULT_SQL_DIR, file))?.[1] ?? '';
  return body
    .split(',')
    .map((column) => column.trim().replace(/\s+/g, ' '))
    .filter((column) => column !== '');
}

const KIND_OF_TYPE: Readonly<Record<string, string>> = {
  VARCHAR: 'text',
  INTEGER: 'integer',
  BIGINT: 'bigint',
};

describe('bronze.load_staging, declared once per warehouse', () => {
  const duckdb = columnsOf('loader/duckdb/create_load_staging.sql');
  const snowflake = columnsOf('loader/snowflake/create_session_staging.sql');

  it('GIVEN the DuckDB and the Snowflake declarations THEN they have the same columns, types and NOT NULLs, in the same order', () => {
    expect(duckdb.length).toBeGreaterThan(10);
    expect(snowflake).toEqual(duckdb);
  });

  it("GIVEN the loader's column kinds THEN they follow the declaration column by column", () => {
    expect(duckdb.map((column) => KIND_OF_TYPE[column.split(' ')[1]!])).toEqual([
      ...LOAD_STAGING_COLUMN_KINDS,
    ]);
  });

  it("GIVEN bronze.listening_events THEN staging holds its event columns, as bronze declares them, then the file's line", () => {
    const bronze = columnsOf('bronze/create_listening_events.sql');
    const eventColumns = bronze.slice(0, bronze.indexOf('source_file VARCHAR NOT NULL'));
    // Staging takes lines before the contract is checked: event_id may still be missing there.
    expect(duckdb).toEqual([
      ...eventColumns.map((column) => column.replace('event_id VARCHAR NOT NULL', 'event_id VARCHAR')),
      'source_file VARCHAR NOT NULL',
      'line_number BIGINT NOT NULL',
    ]);
  });
});
