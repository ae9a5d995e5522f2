import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's SQL lives in `sql/` as files. This finds that folder from the running module
 * (the repository when run from source; the function's bundle folder, where the deployment copies
 * `sql/`, on AWS), or from SQL_DIR when set.
 */
function sqlDirectory(): string {
  if (process.env.SQL_DIR) return process.env.SQL_DIR;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'sql');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the sql/ folder: set SQL_DIR to it');
    directory = parent;
  }
}

/** `sql/` in this repository, or SQL_DIR where a function's bundle keeps it. */
export const DEFAULT_SQL_DIR = sqlDirectory();

const statements = new Map<string, string>();

/**
 * One statement, `<sqlDir>/<file>`, as it is sent: its comment lines removed, so that logs and
 * captured statements start with the SQL itself, and its trailing semicolon and white space
 * removed, so that a query can be wrapped (`SELECT COUNT(*) FROM (<query>)`). Read once per
 * process: the files do not change under a running one. Files hold one statement each; the
 * dialect check (test/sql/) holds them to that.
 */
export function readSqlStatement(sqlDir: string, file: string): string {
  const path = join(sqlDir, file);
  let statement = statements.get(path);
  if (statement === undefined) {
    statement = withoutCommentLines(readFileSync(path, 'utf8')).replace(/[\s;]+$/, '');
    statements.set(path, statement);
  }
  return statement;
}

/** DuckDB only: the Snowflake names the project's SQL uses and DuckDB lacks, run on every open. */
const DUCKDB_COMPATIBILITY_FILE = 'session/duckdb/snowflake_compat.sql';

/**
 * The DuckDB compatibility statements (`sql/session/duckdb/snowflake_compat.sql`), split for
 * `openDuckDbWarehouse(path, setupSql)`: the one file of several statements. It ends each with `;`
 * at the end of a line and has no `;` elsewhere.
 */
export function readDuckDbCompatibilitySql(sqlDir: string): string[] {
  return withoutCommentLines(readFileSync(join(sqlDir, DUCKDB_COMPATIBILITY_FILE), 'utf8'))
    .split(/;[ \t]*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
}

/** No string literal of the project's SQL spans a line that starts with `--`, so this is safe. */
function withoutCommentLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim();
}
