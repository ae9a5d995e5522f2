import { DEFAULT_SQL_DIR, readSqlStatement } from '../shared/warehouse/sql-files.js';
import type { Warehouse } from '../shared/warehouse/warehouse.js';

/**
 * The bronze layer's tables, in creation order, then the changes that bring a warehouse made by an
 * earlier version up to date. Each is safe to run again. Staging is the stager's (it differs by
 * warehouse).
 */
const BRONZE_DDL = [
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

/** Creates the bronze layer's tables where missing and brings older ones up to date: before every load. */
export async function createBronzeTables(warehouse: Warehouse): Promise<void> {
  for (const file of BRONZE_DDL) await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, file));
}
