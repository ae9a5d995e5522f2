import { BRONZE_PREFIX } from '../shared/lake/lake-layout.js';
import { sqlStatement } from '../shared/warehouse/sql-files.js';
import type { Warehouse } from '../shared/warehouse/warehouse.js';
import { hourOfBronzeKey } from './lake-file-selection.js';
import type { LakeStager, StagedChunk } from './load-lake.js';

const FILES_PLACEHOLDER = "'__LAKE_FILES__'";
/** Snowflake's COPY INTO takes at most 1,000 names in FILES. */
const MAX_FILES_PER_COPY = 1_000;

/**
 * Lake files into Snowflake: COPY INTO the staging table from the external stage over the lake,
 * naming the files explicitly, so that Snowflake reads exactly the files the ledger does not have.
 * A file Snowflake cannot read stops the load (ON_ERROR = ABORT_STATEMENT) with an error naming it;
 * the file stays in the lake and the ledger without it, so the next run tries again.
 */
export class SnowflakeLakeStager implements LakeStager {
  constructor(private readonly warehouse: Warehouse) {}

  async prepare(): Promise<void> {}

  async stage(keys: readonly string[]): Promise<StagedChunk> {
    for (let start = 0; start < keys.length; start += MAX_FILES_PER_COPY) {
      await this.warehouse.execute(copyStatementFor(keys.slice(start, start + MAX_FILES_PER_COPY)));
    }
    const counts = await this.warehouse.query<{ source_file: string; staged_rows: number | string }>(
      sqlStatement('loader/staged_rows_by_file.sql'),
    );
    return {
      linesByFile: new Map(counts.map((row) => [row.source_file, Number(row.staged_rows)])),
      rejectsByFile: new Map(),
    };
  }

  async release(): Promise<void> {}
}

/** The COPY statement for these files. Keys are checked against the lake layout: nothing else reaches the SQL. */
export function copyStatementFor(keys: readonly string[]): string {
  for (const key of keys) {
    if (hourOfBronzeKey(key) === null || key.includes("'") || key.includes('\\')) {
      throw new Error(`refusing to COPY "${key}": it is not a bronze object of the lake layout`);
    }
  }
  // Names are relative to the stage, which sits over bronze/.
  const names = keys.map((key) => `'${key.slice(BRONZE_PREFIX.length)}'`);
  return sqlStatement('snowflake/copy_lake_files_into_staging.sql').replace(
    FILES_PLACEHOLDER,
    names.join(', '),
  );
}
