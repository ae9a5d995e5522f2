import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads one SQL file as a statement to send: trailing semicolons and white space removed, so a
 * query can be wrapped (`SELECT COUNT(*) FROM (<query>)`). Files hold one statement each; the
 * Snowflake-dialect check (test/sql/) holds them to that.
 */
export function readSqlStatement(sqlDir: string, file: string): string {
  return readFileSync(join(sqlDir, file), 'utf8').replace(/[\s;]+$/, '');
}

/**
 * The DuckDB-only compatibility statements (`sql/duckdb/snowflake_compat.sql`), split into
 * statements for `openDuckDbWarehouse(path, setupSql)`. The file ends each statement with `;` at
 * the end of a line and has no `;` elsewhere.
 */
export function readDuckDbCompatibilitySql(sqlDir: string): string[] {
  const text = readFileSync(join(sqlDir, 'duckdb', 'snowflake_compat.sql'), 'utf8');
  return text
    .split(/;[ \t]*$/m)
    .map((statement) => statement.trim())
    .filter((statement) =>
      statement.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')),
    );
}
