import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSqlStatement } from '../transform/sql-files.js';

/**
 * The project's SQL lives in `sql/` as files. This finds that folder from the running module
 * (the repository when run from source; the function's bundle folder, where the deployment copies
 * `sql/`, on AWS), or from SQL_DIR when set, and reads statements from it.
 */
export function sqlDirectory(): string {
  if (process.env.SQL_DIR) return process.env.SQL_DIR;
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'sql');
    if (existsSync(join(candidate, 'bronze'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the sql/ folder: set SQL_DIR to it');
    directory = parent;
  }
}

const cache = new Map<string, string>();

/**
 * One statement from `sql/<relativePath>`, read once, its comment lines removed: what the loader
 * sends, so that logs and captured statements start with the SQL itself.
 */
export function sqlStatement(relativePath: string): string {
  let statement = cache.get(relativePath);
  if (statement === undefined) {
    statement = readSqlStatement(sqlDirectory(), relativePath)
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('--'))
      .join('\n')
      .trim();
    cache.set(relativePath, statement);
  }
  return statement;
}

/**
 * The bronze layer's tables, in creation order, then the changes that bring a warehouse made by an
 * earlier version up to date. Each is safe to run again. Staging is the stager's (it differs by
 * warehouse).
 */
export const BRONZE_DDL = [
  'bronze/create_schema.sql',
  'bronze/create_listening_events.sql',
  'bronze/create_load_ledger.sql',
  'bronze/create_load_rejects.sql',
  'bronze/create_loads.sql',
  'bronze/create_load_arrivals.sql',
  'bronze/create_load_candidates.sql',
  'bronze/create_load_lock.sql',
  'bronze/seed_load_lock.sql',
  'bronze/add_load_id_to_listening_events.sql',
  'bronze/add_load_id_to_load_ledger.sql',
] as const;
