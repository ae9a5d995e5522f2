import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePythonTool } from './python-tool.js';

const run = promisify(execFile);

/** sqlglot from PyPI, pinned; installed once into .cache/venvs/sqlglot. */
export const SQLGLOT = { name: 'sqlglot', requirements: ['sqlglot==30.30.0'] } as const;

/** What sqlglot made of one file. */
export interface SqlDialectCheck {
  readonly file: string;
  readonly statements: number;
  /** Statements sqlglot could keep only as opaque commands (syntax it does not know), comments removed. */
  readonly unparsed: readonly string[];
  /** Null when every statement parsed and was understood. */
  readonly error: string | null;
}

/**
 * Parses each file with sqlglot in `dialect` (`snowflake`, `duckdb`) at error level RAISE, so that
 * SQL the warehouse would reject fails here first. Installs sqlglot on first use (needs python3 and
 * the Python package index).
 */
export async function checkSqlDialect(
  dialect: 'snowflake' | 'duckdb',
  files: readonly string[],
): Promise<SqlDialectCheck[]> {
  if (files.length === 0) return [];
  const bin = await ensurePythonTool(SQLGLOT);
  const script = join(import.meta.dirname, 'check_sql_dialect.py');
  const { stdout } = await run(join(bin, 'python'), [script, dialect, ...files], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SqlDialectCheck);
}
