import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BRONZE_PREFIX } from '../shared/lake/lake-layout.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../shared/warehouse/sql-files.js';
import type { Warehouse } from '../shared/warehouse/warehouse.js';
import { hourOfBronzeKey } from './lake-file-selection.js';
import type { LakeStager, StagedChunk } from './load-lake.js';
import { loadStagingRow, parseLakeObject, type RejectedLine } from './parse-bronze-file.js';

const FILES_PLACEHOLDER = "'__LAKE_FILES__'";
/** Snowflake's COPY INTO takes at most 1,000 names in FILES. */
const MAX_FILES_PER_COPY = 1_000;

/**
 * The two steps of Snowflake staging that only Snowflake can run, apart from everything else the
 * stager and the loader send, so that the rest can be executed on another engine in tests.
 */
export interface SnowflakeStagingArea {
  /** Once per load, before any transaction: the staging table of the load's own session. */
  create(warehouse: Warehouse): Promise<void>;
  /**
   * Inside the transaction: every line of the files into bronze.load_staging with its line number.
   * A file it cannot read fails the statement, naming it as Snowflake does: `File '<name under
   * bronze/>', line N`.
   */
  copy(warehouse: Warehouse, keys: readonly string[]): Promise<void>;
}

/** Snowflake's own: a TEMPORARY table, and COPY INTO from the external stage naming the files. */
export const SNOWFLAKE_STAGING_AREA: SnowflakeStagingArea = {
  create: (warehouse) =>
    warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/snowflake/create_session_staging.sql')),
  copy: async (warehouse, keys) => {
    for (let start = 0; start < keys.length; start += MAX_FILES_PER_COPY)
      await warehouse.execute(copyStatementFor(keys.slice(start, start + MAX_FILES_PER_COPY)));
  },
};

/**
 * Lake files into Snowflake: COPY INTO the staging table from the external stage over the lake,
 * naming the files explicitly, so that Snowflake reads exactly the files the ledger does not have.
 * A file COPY cannot read stops the statement (ON_ERROR = ABORT_STATEMENT) with an error naming it.
 * Given the lake (`lake`), the stager then reads that file itself, line by line through the
 * contract validator, and stages its events with their line numbers, so that one bad file neither
 * blocks every later load nor loses its good lines; its bad lines go to bronze.load_rejects with
 * their reasons. Without it, or when the error names no file of the batch, the load fails, the
 * file stays in the lake and out of the ledger, and the next run tries again. A line with no
 * event_id is staged by COPY but refused by bronze's NOT NULL, which would name no file: the
 * stager looks for one after COPY and reads its file line by line the same way.
 */
export class SnowflakeLakeStager implements LakeStager {
  private batchKeys: readonly string[] = [];
  /** Files of the batch COPY refused, read line by line from now on. */
  private readonly lineByLineKeys = new Set<string>();

  constructor(
    private readonly warehouse: Warehouse,
    private readonly lake?: { readonly s3: S3Client; readonly bucket: string },
    private readonly stagingArea: SnowflakeStagingArea = SNOWFLAKE_STAGING_AREA,
  ) {}

  async startLoad(): Promise<void> {
    await this.stagingArea.create(this.warehouse);
  }

  /**
   * Nothing to fetch: COPY reads the files from the stage. (A listed file that is not in the lake
   * is not found here; COPY then stages no line of it, and the ledger records it with 0 rows.)
   */
  async prepare(keys: readonly string[]): Promise<readonly string[]> {
    this.batchKeys = [...keys];
    this.lineByLineKeys.clear();
    return [];
  }

  async stage(keys: readonly string[], _loadId: string): Promise<StagedChunk> {
    const copied = keys.filter((key) => !this.lineByLineKeys.has(key));
    if (copied.length > 0) {
      await this.stagingArea.copy(this.warehouse, copied);
      const [withoutId] = await this.warehouse.query<{ source_file: string; line_number: number | string }>(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/snowflake/copied_line_without_event_id.sql'),
      );
      if (withoutId !== undefined)
        throw new LineWithoutEventIdError(withoutId.source_file, Number(withoutId.line_number));
    }
    const linesByFile = new Map<string, number>();
    const rejectsByFile = new Map<string, readonly RejectedLine[]>();
    const readLineByLine = keys.filter((key) => this.lineByLineKeys.has(key));
    for (const key of readLineByLine) {
      const object = await this.lake!.s3.send(new GetObjectCommand({ Bucket: this.lake!.bucket, Key: key }));
      const parsed = await parseLakeObject(await object.Body!.transformToByteArray());
      await this.warehouse.executeMany(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/snowflake/stage_checked_lines.sql'),
        parsed.rows.map((row) => loadStagingRow(key, row)),
      );
      linesByFile.set(key, parsed.lines);
      rejectsByFile.set(key, parsed.rejects);
    }
    const counts = await this.warehouse.query<{ source_file: string; staged_rows: number | string }>(
      readSqlStatement(DEFAULT_SQL_DIR, 'loader/snowflake/staged_rows_by_file.sql'),
    );
    for (const row of counts) {
      // A file read line by line staged only its good lines: its line count is the parser's.
      if (!this.lineByLineKeys.has(row.source_file))
        linesByFile.set(row.source_file, Number(row.staged_rows));
    }
    return { linesByFile, rejectsByFile, filesReadLineByLine: readLineByLine.length };
  }

  /**
   * After a COPY failed: Snowflake words a content error as "... File '<path under the stage>',
   * line N, character M ...". That file of the batch is read line by line from now on.
   */
  readLineByLineAfter(error: unknown): boolean {
    if (this.lake === undefined || !(error instanceof Error)) return false;
    const named =
      error instanceof LineWithoutEventIdError
        ? error.file.slice(BRONZE_PREFIX.length)
        : /File '([^']+)'/.exec(error.message)?.[1];
    if (named === undefined) return false;
    const key = this.batchKeys.find((candidate) => named.endsWith(candidate.slice(BRONZE_PREFIX.length)));
    if (key === undefined || this.lineByLineKeys.has(key)) return false;
    this.lineByLineKeys.add(key);
    return true;
  }

  async release(): Promise<void> {}
}

/** A file COPY staged holds a line with no event_id: bronze cannot take it, so the file is read line by line. */
export class LineWithoutEventIdError extends Error {
  override readonly name = 'LineWithoutEventIdError';
  constructor(
    readonly file: string,
    readonly lineNumber: number,
  ) {
    super(`${file}, line ${lineNumber}, has no event_id`);
  }
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
  return readSqlStatement(DEFAULT_SQL_DIR, 'loader/snowflake/copy_lake_files_into_staging.sql').replace(
    FILES_PLACEHOLDER,
    names.join(', '),
  );
}
