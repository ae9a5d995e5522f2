import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SQL_DIR } from '../../lambdas/shared/warehouse/sql-files.js';
import { checkSqlDialect } from '../../local/tooling/sql-dialect-check.js';

/** DuckDB-only SQL, never sent to Snowflake: the loader's DuckDB statements and the compatibility macros. */
const DUCKDB_LOADER_DIR = join(DEFAULT_SQL_DIR, 'loader', 'duckdb');
const DUCKDB_COMPATIBILITY_FILE = join(DEFAULT_SQL_DIR, 'session', 'duckdb', 'snowflake_compat.sql');
const DUCKDB_ONLY_DIRS = [DUCKDB_LOADER_DIR, dirname(DUCKDB_COMPATIBILITY_FILE)];
/**
 * Account administration a person runs once (roles, users, grants, integrations). sqlglot keeps
 * these statements whole rather than modelling them, so for them the check is that they parse, as
 * one statement, of an administrative kind.
 */
const ADMINISTRATION_DIR = join(DEFAULT_SQL_DIR, 'snowflake', 'setup');
const ADMINISTRATIVE = /^(CREATE (ROLE|USER|WAREHOUSE|DATABASE|STORAGE INTEGRATION|STAGE)|GRANT) /;

function sqlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.sql'))
    .map((file) => join(dir, file))
    .sort();
}

const scratch = mkdtempSync(join(tmpdir(), 'sql-dialect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("every SQL file under sql/ is Snowflake's dialect, one statement per file", () => {
  it('parses with sqlglot (read=snowflake, error level RAISE) to exactly one understood statement', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const files = sqlFilesUnder(DEFAULT_SQL_DIR).filter(
      (file) => !DUCKDB_ONLY_DIRS.some((dir) => file.startsWith(`${dir}/`)),
    );
    expect(files.length).toBeGreaterThan(30);

    // Act
    const results = await checkSqlDialect('snowflake', files);

    // Assess: one line per problem, so a failure names every file at once
    const understoodOrAdministrative = (result: (typeof results)[number]) =>
      result.error === null ||
      (result.file.startsWith(ADMINISTRATION_DIR) &&
        result.unparsed.every((statement) => ADMINISTRATIVE.test(statement)));
    const problems = results
      .filter((result) => !understoodOrAdministrative(result) || result.statements !== 1)
      .map(
        (result) =>
          `${relative(DEFAULT_SQL_DIR, result.file)}: ${result.error ?? `${result.statements} statements`}`,
      );
    expect(problems).toEqual([]);
    expect(results).toHaveLength(files.length);
  });

  it('the DuckDB-only statements of the loader parse as DuckDB, one statement per file', {
    timeout: 300_000,
  }, async () => {
    const files = sqlFilesUnder(DUCKDB_LOADER_DIR);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const results = await checkSqlDialect('duckdb', files);
    // sqlglot keeps DuckDB's SET VARIABLE whole; everything else must be understood.
    const problems = results.filter(
      (result) =>
        result.statements !== 1 ||
        result.unparsed.some((statement) => !statement.startsWith('SET VARIABLE ')) ||
        (result.error !== null && result.unparsed.length === 0),
    );
    expect(problems).toEqual([]);
  });

  it('the DuckDB compatibility file parses as DuckDB', { timeout: 300_000 }, async () => {
    // Act
    const [result] = await checkSqlDialect('duckdb', [DUCKDB_COMPATIBILITY_FILE]);

    // Assess: sqlglot keeps CREATE TYPE as an opaque command; every macro must parse
    expect(result?.statements).toBeGreaterThanOrEqual(4);
    expect(result?.unparsed.filter((statement) => !statement.startsWith('CREATE TYPE '))).toEqual([]);
  });

  it('fails on SQL that Snowflake would reject, and on syntax sqlglot only keeps as an opaque command', {
    timeout: 300_000,
  }, async () => {
    // Prepare
    const broken = join(scratch, 'broken.sql');
    writeFileSync(broken, 'SELECT day, COUNT(DISTINCT user_id FROM silver.listening_events GROUP BY day');
    const duckDbOnly = join(scratch, 'duckdb-only.sql');
    writeFileSync(duckDbOnly, 'CREATE OR REPLACE TEMP MACRO f(x) AS x + 1');

    // Act
    const results = await checkSqlDialect('snowflake', [broken, duckDbOnly]);

    // Assess
    expect(results[0]?.error).toMatch(/./);
    expect(results[1]?.error).toMatch(/^not understood as snowflake SQL: CREATE OR REPLACE TEMP MACRO/);
  });
});
