import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { BRONZE_DDL, sqlStatement } from '../shared/warehouse/sql-files.js';
import type { SqlValue, Warehouse } from '../shared/warehouse/warehouse.js';
import {
  bronzeHourFolder,
  hourOfBronzeKey,
  type LoadWindow,
  selectFilesToLoad,
} from './lake-file-selection.js';
import type { RejectedLine } from './parse-bronze-file.js';

/** Files per transaction: each commit records its files in the ledger with their rows (Snowflake's COPY takes at most 1,000). */
const FILES_PER_TRANSACTION = 500;

export interface LoadSummary {
  readonly filesFound: number;
  readonly filesLoaded: number;
  readonly rowsInFiles: number;
  readonly rowsInserted: number;
  readonly linesRejected: number;
  /** Files the warehouse's own reader refused, read line by line through the contract validator. */
  readonly filesReadLineByLine: number;
  /** UTC days (YYYY-MM-DD) that received new rows: what an incremental transformation must rebuild. */
  readonly daysTouched: readonly string[];
}

/** What staging put into bronze.load_staging (on DuckDB, straight into bronze) for a chunk of files. */
export interface StagedChunk {
  readonly linesByFile: ReadonlyMap<string, number>;
  readonly rejectsByFile: ReadonlyMap<string, readonly RejectedLine[]>;
  /**
   * Inside the transaction: leaves bronze with the staged rows it did not have, one row per
   * event_id (its first sighting by file, then line), and says how many each file and UTC day gave.
   * @default - bronze.load_staging is counted and MERGEd by sql/loader/ (the Snowflake path)
   */
  readonly mergeNewRows?: () => Promise<readonly NewRowsOfFileAndDay[]>;
  /** Files read line by line through the contract validator, not by the warehouse's reader. @default 0 */
  readonly filesReadLineByLine?: number;
}

/** How many rows one file brought into bronze for one UTC day (YYYY-MM-DD). */
export type NewRowsOfFileAndDay = {
  readonly source_file: string;
  readonly event_day: string;
  readonly new_rows: number | bigint | string;
};

/**
 * How a warehouse stages lake files: Snowflake runs COPY INTO bronze.load_staging from its external
 * stage over the lake; DuckDB downloads them and its JSON reader streams them straight into bronze.
 */
export interface LakeStager {
  /** Before the chunk's transaction: fetch what staging needs. */
  prepare(keys: readonly string[]): Promise<void>;
  /** Inside the transaction: fill bronze.load_staging (on DuckDB, bronze itself) with the files' rows. */
  stage(keys: readonly string[]): Promise<StagedChunk>;
  /**
   * After `stage` failed and its transaction rolled back: whether the stager, told the error, will
   * stage differently next time (on DuckDB: the file the error names, line by line through the
   * contract validator, keeping its bad lines with their reasons). `stage` is then tried again in a
   * new transaction; false, or absent (Snowflake: the load fails, naming the file), and the error
   * stands. Each true must set aside more than before, so the retries end.
   */
  readLineByLineAfter?(error: unknown): boolean;
  /** After the chunk: drop what `prepare` fetched. */
  release(keys: readonly string[]): Promise<void>;
}

export interface LoadOptions {
  readonly warehouse: Warehouse;
  readonly stager: LakeStager;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly window: LoadWindow;
  readonly nowMs: number;
  readonly includeOpenHour: boolean;
  /**
   * Told, before anything loads, how many files are due and how old the oldest is: the freshness
   * the hourly loader publishes, so that a load that then fails still reports what waits.
   */
  readonly reportBacklog?: (backlog: LakeBacklog) => void;
  /**
   * Told after each transaction commits, with the totals so far: a backfill of thousands of files
   * commits every filesPerTransaction files, and what is committed stays if a later batch fails.
   */
  readonly reportCommitted?: (progress: LoadProgress) => void;
  /** Called inside each transaction after the MERGE and before the commit. Tests crash here. */
  readonly beforeCommit?: () => Promise<void> | void;
  /** From 1 to 1,000 (Snowflake's COPY names at most 1,000 files). @default 500 */
  readonly filesPerTransaction?: number;
}

/** A load's committed totals after one of its transactions. */
export interface LoadProgress {
  readonly filesLoaded: number;
  readonly filesDue: number;
  readonly rowsInserted: number;
}

/** The lake files due for loading when a load starts. */
export interface LakeBacklog {
  readonly files: number;
  /** Milliseconds since the oldest due file was written; 0 when none is due. */
  readonly oldestFileAgeMs: number;
}

/**
 * Loads the lake's new files into the warehouse, exactly once: the files of closed hours in the
 * window that the ledger does not list are staged, MERGEd on event_id, and recorded in the ledger
 * in the same transaction. A rerun adds nothing; a crash rolls the whole transaction back.
 */
export async function loadLake(options: LoadOptions): Promise<LoadSummary> {
  const { warehouse, stager } = options;
  const filesPerTransaction = options.filesPerTransaction ?? FILES_PER_TRANSACTION;
  if (!Number.isInteger(filesPerTransaction) || filesPerTransaction < 1 || filesPerTransaction > 1_000)
    throw new RangeError(
      `filesPerTransaction must be a whole number from 1 to 1,000, not ${filesPerTransaction}`,
    );
  for (const statement of BRONZE_DDL) await warehouse.execute(sqlStatement(statement));

  const firstFolder = bronzeHourFolder(options.window.fromMs);
  const listed = await listObjects(options.s3, options.bucket, firstFolder);
  const loadedRows = await warehouse.query<{ file_key: string }>(
    sqlStatement('loader/loaded_files_in_range.sql'),
    [firstFolder, bronzeHourFolder(options.window.toMs)],
  );
  const loaded = new Set(loadedRows.map((row) => row.file_key));
  const files = selectFilesToLoad(
    listed.keys(),
    loaded,
    options.window,
    options.nowMs,
    options.includeOpenHour,
  );
  // A loop, not Math.min(...): a backfill can hold more files than a call has room for arguments.
  let oldestWrittenMs = options.nowMs;
  for (const key of files) oldestWrittenMs = Math.min(oldestWrittenMs, listed.get(key) ?? options.nowMs);
  options.reportBacklog?.({ files: files.length, oldestFileAgeMs: options.nowMs - oldestWrittenMs });

  let rowsInFiles = 0;
  let rowsInserted = 0;
  let linesRejected = 0;
  let filesReadLineByLine = 0;
  const daysTouched = new Set<string>();
  for (let start = 0; start < files.length; start += filesPerTransaction) {
    const keys = files.slice(start, start + filesPerTransaction);
    await stager.prepare(keys);
    try {
      let outcome: ChunkOutcome | undefined;
      while (outcome === undefined) {
        try {
          outcome = await warehouse.inTransaction(() => loadChunk(options, keys, () => stager.stage(keys)));
        } catch (error) {
          if (stager.readLineByLineAfter?.(error) !== true) throw error;
        }
      }
      rowsInFiles += outcome.rowsInFiles;
      rowsInserted += outcome.rowsInserted;
      linesRejected += outcome.linesRejected;
      filesReadLineByLine += outcome.filesReadLineByLine;
      for (const day of outcome.daysTouched) daysTouched.add(day);
      options.reportCommitted?.({ filesLoaded: start + keys.length, filesDue: files.length, rowsInserted });
    } finally {
      await stager.release(keys);
    }
  }
  return {
    filesFound: files.length,
    filesLoaded: files.length,
    rowsInFiles,
    rowsInserted,
    linesRejected,
    filesReadLineByLine,
    daysTouched: [...daysTouched].sort(),
  };
}

interface ChunkOutcome {
  readonly rowsInFiles: number;
  readonly rowsInserted: number;
  readonly linesRejected: number;
  readonly filesReadLineByLine: number;
  readonly daysTouched: readonly string[];
}

/** Stages the chunk's rows, MERGEs them and records every file in the ledger: the body of one transaction. */
async function loadChunk(
  options: LoadOptions,
  keys: readonly string[],
  stage: () => Promise<StagedChunk>,
): Promise<ChunkOutcome> {
  const { warehouse } = options;
  await warehouse.execute(sqlStatement('loader/empty_staging.sql'));
  const staged = await stage();
  const newRows = await (staged.mergeNewRows ?? (() => mergeStagedRows(warehouse)))();
  const newByFile = new Map<string, number>();
  for (const row of newRows)
    newByFile.set(row.source_file, (newByFile.get(row.source_file) ?? 0) + Number(row.new_rows));
  // One request for each kind of record, not one per file and per line: on Snowflake every
  // statement is a round trip, and an hour can bring thousands of files.
  const recordedAt = utcWallClock(new Date());
  const rejectRows: SqlValue[][] = [];
  const ledgerRows: SqlValue[][] = [];
  let rowsInFiles = 0;
  for (const key of keys) {
    for (const reject of staged.rejectsByFile.get(key) ?? [])
      rejectRows.push([key, reject.lineNumber, reject.rawLine, reject.reason, recordedAt]);
    const lines = staged.linesByFile.get(key) ?? 0;
    rowsInFiles += lines;
    ledgerRows.push([
      key,
      bronzeHourFolder(hourOfBronzeKey(key)!),
      lines,
      newByFile.get(key) ?? 0,
      recordedAt,
    ]);
  }
  await warehouse.executeMany(sqlStatement('loader/record_rejected_line.sql'), rejectRows);
  await warehouse.executeMany(sqlStatement('loader/record_loaded_file.sql'), ledgerRows);
  await warehouse.execute(sqlStatement('loader/empty_staging.sql'));
  await options.beforeCommit?.();
  return {
    rowsInFiles,
    rowsInserted: newRows.reduce((sum, row) => sum + Number(row.new_rows), 0),
    linesRejected: rejectRows.length,
    filesReadLineByLine: staged.filesReadLineByLine ?? 0,
    daysTouched: [...new Set(newRows.map((row) => row.event_day))],
  };
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: a TIMESTAMP_NTZ both warehouses read the same way. */
function utcWallClock(time: Date): string {
  return time.toISOString().replace('T', ' ').replace('Z', '');
}

/** bronze.load_staging's new rows counted, then MERGEd into bronze. */
async function mergeStagedRows(warehouse: Warehouse): Promise<readonly NewRowsOfFileAndDay[]> {
  const newRows = await warehouse.query<NewRowsOfFileAndDay>(
    sqlStatement('loader/count_new_rows_by_file.sql'),
  );
  await warehouse.execute(sqlStatement('loader/merge_staged_events.sql'));
  return newRows;
}

/** The bronze keys from `startAtFolder` on, each with when it was written (epoch ms). */
async function listObjects(
  s3: S3Client,
  bucket: string,
  startAtFolder: string,
): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'bronze/',
        // Keys sort by date and hour: start just before the window's first folder.
        StartAfter: continuationToken === undefined ? startAtFolder.slice(0, -1) : undefined,
        ContinuationToken: continuationToken,
      }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key !== undefined) objects.set(item.Key, item.LastModified?.getTime() ?? Date.now());
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
  return objects;
}
