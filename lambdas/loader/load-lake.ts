import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../shared/warehouse/sql-files.js';
import type { SqlValue, Warehouse } from '../shared/warehouse/warehouse.js';
import { createBronzeTables } from './bronze-tables.js';
import { type FoundLakeFiles, findArrivedFiles, findFilesInWindow } from './find-new-lake-files.js';
import {
  type ArrivalRecord,
  bronzeHourFolder,
  hourOfBronzeKey,
  type LoadWindow,
} from './lake-file-selection.js';
import type { RejectedLine } from './parse-bronze-file.js';

/** Files per transaction: each commit records its files in the ledger with their rows (Snowflake's COPY takes at most 1,000). */
const FILES_PER_TRANSACTION = 500;

/** A file a load did not load, and why: every one is reported, never passed over in silence. */
export interface SkippedFile {
  readonly key: string;
  readonly reason: string;
}

export interface LoadSummary {
  /** Files found new: listed by new arrival manifests (or in a backfill's window) and not in the ledger. */
  readonly filesFound: number;
  readonly filesLoaded: number;
  /** Files found but not started because the run was out of time: the next run loads them first. */
  readonly filesLeftForNextRun: number;
  readonly rowsInFiles: number;
  readonly rowsInserted: number;
  readonly linesRejected: number;
  /** Files the warehouse's own reader refused, read line by line through the contract validator. */
  readonly filesReadLineByLine: number;
  /** UTC days (YYYY-MM-DD) that received new rows. */
  readonly daysTouched: readonly string[];
  /** The load transactions committed (bronze.loads), in order. */
  readonly loadIds: readonly string[];
  /** Arrival manifests read and recorded as dealt with. */
  readonly manifestsRecorded: number;
  /** What was found and not loaded, with why: unusable manifests, keys outside the layout, missing objects. */
  readonly skipped: readonly SkippedFile[];
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
  /** Once per load, before any transaction: create what staging needs (Snowflake: the session's staging table). */
  startLoad(): Promise<void>;
  /**
   * Before the chunk's transaction: fetch what staging needs. Returns the keys that are not in
   * the lake (deleted after their manifest was written): the loader reports and leaves them out.
   */
  prepare(keys: readonly string[]): Promise<readonly string[]>;
  /**
   * Inside the transaction: fill bronze.load_staging (on DuckDB, bronze itself, every row carrying
   * `loadId`) with the files' rows.
   */
  stage(keys: readonly string[], loadId: string): Promise<StagedChunk>;
  /**
   * After `stage` failed and its transaction rolled back: whether the stager, told the error, will
   * stage differently next time (the file the error names, line by line through the contract
   * validator, keeping its bad lines with their reasons). `stage` is then tried again in a new
   * transaction; false, and the error stands. Each true must set aside more than before, so the
   * retries end.
   */
  readLineByLineAfter?(error: unknown): boolean;
  /** After the chunk: drop what `prepare` fetched. */
  release(keys: readonly string[]): Promise<void>;
}

/**
 * Where a load finds its files: `arrivals` (the default: every file the consumer's arrival
 * manifests list that the ledger lacks, whatever the events' times) or a backfill `window` of
 * `bronze/` hour folders by event time.
 */
export type LoadSource =
  | { readonly kind: 'arrivals' }
  | { readonly kind: 'window'; readonly window: LoadWindow };

export interface LoadOptions {
  readonly warehouse: Warehouse;
  readonly stager: LakeStager;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly source: LoadSource;
  /**
   * Names this run (the state machine's execution name; a local command's own): each load
   * transaction's id is `<runId>/<n>`, counted in the warehouse, so a retried run never reuses one.
   * Letters, digits and `-_.:`, at most 80.
   */
  readonly runId: string;
  /** The load's time (epoch ms): recorded with what it loads, and the age of what waits. */
  readonly nowMs: number;
  /**
   * Asked before each transaction after the first: false stops the load there, and the files
   * left are reported (filesLeftForNextRun) and loaded first by the next run.
   * @default - always true
   */
  readonly hasTimeForAnotherTransaction?: () => boolean;
  /**
   * Told, before anything loads, how many files are due and how long the oldest has waited: the
   * freshness the deployed loader publishes, so that a load that then fails still reports it.
   */
  readonly reportBacklog?: (backlog: LakeBacklog) => void;
  /** Told after each transaction commits, with the totals so far. */
  readonly reportCommitted?: (progress: LoadProgress) => void;
  /** Called inside each transaction before the commit. Tests crash here. */
  readonly beforeCommit?: () => Promise<void> | void;
  /** Called after each transaction commits. Tests crash here too. */
  readonly afterCommit?: () => Promise<void> | void;
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
  /** Milliseconds since the oldest due file reached the lake; 0 when none is due. */
  readonly oldestFileAgeMs: number;
}

const RUN_ID = /^[A-Za-z0-9_.:-]{1,80}$/;

/**
 * Loads the lake's new files into the warehouse, exactly once. Each transaction first takes the
 * load lock (so loads run one at a time, whoever started them), asks the ledger again which of its
 * files are loaded, stages the rest, MERGEs them on event_id, and records the files in the ledger
 * and itself in bronze.loads, all in that transaction. A rerun adds nothing; a crash rolls the
 * transaction back; a crash after a commit leaves that commit, and a rerun loads only the rest.
 * Arrival manifests are recorded as dealt with once every file they list is loaded or reported.
 */
export async function loadLake(options: LoadOptions): Promise<LoadSummary> {
  const { warehouse, stager } = options;
  const filesPerTransaction = options.filesPerTransaction ?? FILES_PER_TRANSACTION;
  if (!Number.isInteger(filesPerTransaction) || filesPerTransaction < 1 || filesPerTransaction > 1_000)
    throw new RangeError(
      `filesPerTransaction must be a whole number from 1 to 1,000, not ${filesPerTransaction}`,
    );
  if (!RUN_ID.test(options.runId))
    throw new RangeError(
      `the run id "${options.runId}" must be 1 to 80 letters, digits or -_.: (it names the run's load transactions)`,
    );
  await createBronzeTables(warehouse);
  await stager.startLoad();

  const found: FoundLakeFiles =
    options.source.kind === 'arrivals'
      ? await findArrivedFiles(options.s3, options.bucket, warehouse)
      : await findFilesInWindow(options.s3, options.bucket, options.source.window);
  const skipped: SkippedFile[] = [];
  for (const manifest of found.manifests) {
    if (manifest.problem !== undefined)
      skipped.push({ key: manifest.key, reason: `arrival manifest not used: ${manifest.problem}` });
    skipped.push(...manifest.refused);
  }

  await warehouse.executeMany(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_candidate.sql'),
    found.files.map((file) => [options.runId, file]),
  );
  const alreadyLoaded = await loadedCandidates(warehouse, options.runId);
  const due = found.files.filter((file) => !alreadyLoaded.has(file));
  let oldestArrivalMs = options.nowMs;
  // A loop, not Math.min(...): a backfill can hold more files than a call has room for arguments.
  for (const file of due)
    oldestArrivalMs = Math.min(oldestArrivalMs, found.arrivedAtMs.get(file) ?? options.nowMs);
  options.reportBacklog?.({ files: due.length, oldestFileAgeMs: options.nowMs - oldestArrivalMs });

  const totals = {
    rowsInFiles: 0,
    rowsInserted: 0,
    linesRejected: 0,
    filesReadLineByLine: 0,
    filesLoaded: 0,
  };
  const daysTouched = new Set<string>();
  const loadIds: string[] = [];
  const notLoaded = new Set<string>();
  let filesLeftForNextRun = 0;
  for (let start = 0; start < due.length; start += filesPerTransaction) {
    if (start > 0 && options.hasTimeForAnotherTransaction?.() === false) {
      for (const file of due.slice(start)) notLoaded.add(file);
      filesLeftForNextRun = due.length - start;
      break;
    }
    let keys = due.slice(start, start + filesPerTransaction);
    const missing = new Set(await stager.prepare(keys));
    try {
      for (const key of missing) {
        notLoaded.add(key);
        skipped.push({
          key,
          reason:
            'listed as arrived, but the lake has no such object (deleted after it arrived?): restore it and run `load --from/--to` over its hour',
        });
      }
      keys = keys.filter((key) => !missing.has(key));
      let outcome: ChunkOutcome | undefined;
      while (outcome === undefined) {
        try {
          outcome = await warehouse.inTransaction(() => loadChunk(options, keys));
        } catch (error) {
          if (stager.readLineByLineAfter?.(error) !== true) throw error;
        }
      }
      await options.afterCommit?.();
      totals.rowsInFiles += outcome.rowsInFiles;
      totals.rowsInserted += outcome.rowsInserted;
      totals.linesRejected += outcome.linesRejected;
      totals.filesReadLineByLine += outcome.filesReadLineByLine;
      totals.filesLoaded += outcome.filesLoaded;
      if (outcome.loadId !== undefined) loadIds.push(outcome.loadId);
      for (const day of outcome.daysTouched) daysTouched.add(day);
      options.reportCommitted?.({
        filesLoaded: start + keys.length + missing.size,
        filesDue: due.length,
        rowsInserted: totals.rowsInserted,
      });
    } finally {
      await stager.release(keys);
    }
  }

  const manifestsRecorded = await recordArrivals(options, found.manifests, notLoaded, skipped);
  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/forget_candidates.sql'), [options.runId]);
  return {
    filesFound: due.length,
    ...totals,
    filesLeftForNextRun,
    daysTouched: [...daysTouched].sort(),
    loadIds,
    manifestsRecorded,
    skipped,
  };
}

async function loadedCandidates(warehouse: Warehouse, runId: string): Promise<Set<string>> {
  const rows = await warehouse.query<{ file_key: string }>(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/loaded_candidates.sql'),
    [runId],
  );
  return new Set(rows.map((row) => row.file_key));
}

interface ChunkOutcome {
  /** Absent when every file of the chunk had been loaded by another load meanwhile. */
  readonly loadId?: string;
  readonly filesLoaded: number;
  readonly rowsInFiles: number;
  readonly rowsInserted: number;
  readonly linesRejected: number;
  readonly filesReadLineByLine: number;
  readonly daysTouched: readonly string[];
}

/**
 * One load transaction: the lock, the ledger asked again (a load that held the lock meanwhile may
 * have loaded some of these files), the chunk's rows staged and MERGEd, every file recorded in the
 * ledger, and the load itself in bronze.loads.
 */
async function loadChunk(options: LoadOptions, chunkKeys: readonly string[]): Promise<ChunkOutcome> {
  const { warehouse, stager, runId } = options;
  const loadedAt = utcWallClock(options.nowMs);
  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/take_load_lock.sql'), [runId, loadedAt]);
  const loadedMeanwhile = await loadedCandidates(warehouse, runId);
  const keys = chunkKeys.filter((key) => !loadedMeanwhile.has(key));
  if (keys.length === 0)
    return {
      filesLoaded: 0,
      rowsInFiles: 0,
      rowsInserted: 0,
      linesRejected: 0,
      filesReadLineByLine: 0,
      daysTouched: [],
    };
  const [counted] = await warehouse.query<{ loads: number | bigint | string }>(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/loads_of_run.sql'),
    [runId],
  );
  const loadId = `${runId}/${Number(counted?.loads ?? 0) + 1}`;

  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/empty_staging.sql'));
  const staged = await stager.stage(keys, loadId);
  const newRows = await (staged.mergeNewRows ?? (() => mergeStagedRows(warehouse, loadId)))();
  const newByFile = new Map<string, number>();
  for (const row of newRows)
    newByFile.set(row.source_file, (newByFile.get(row.source_file) ?? 0) + Number(row.new_rows));
  // One request for each kind of record, not one per file and per line: on Snowflake every
  // statement is a round trip, and an hour can bring thousands of files.
  const rejectRows: SqlValue[][] = [];
  const ledgerRows: SqlValue[][] = [];
  let rowsInFiles = 0;
  for (const key of keys) {
    for (const reject of staged.rejectsByFile.get(key) ?? [])
      rejectRows.push([key, reject.lineNumber, reject.rawLine, reject.reason, loadedAt]);
    const lines = staged.linesByFile.get(key) ?? 0;
    rowsInFiles += lines;
    ledgerRows.push([
      key,
      bronzeHourFolder(hourOfBronzeKey(key)!),
      lines,
      newByFile.get(key) ?? 0,
      loadedAt,
      loadId,
    ]);
  }
  const rowsInserted = newRows.reduce((sum, row) => sum + Number(row.new_rows), 0);
  await warehouse.executeMany(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_rejected_line.sql'),
    rejectRows,
  );
  await warehouse.executeMany(readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_loaded_file.sql'), ledgerRows);
  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_load.sql'), [
    loadId,
    runId,
    loadedAt,
    keys.length,
    rowsInserted,
  ]);
  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/empty_staging.sql'));
  await options.beforeCommit?.();
  return {
    loadId,
    filesLoaded: keys.length,
    rowsInFiles,
    rowsInserted,
    linesRejected: rejectRows.length,
    filesReadLineByLine: staged.filesReadLineByLine ?? 0,
    daysTouched: [...new Set(newRows.map((row) => row.event_day))],
  };
}

/**
 * Records the manifests this load dealt with: in arrival order, up to the first one with a file
 * still to load (the run ran out of time), so that the next run's listing, which starts from the
 * newest recorded, still finds every manifest not recorded. A manifest's problem, or the files it
 * lists that were left out, are recorded with it.
 */
async function recordArrivals(
  options: LoadOptions,
  manifests: readonly ArrivalRecord[],
  notLoaded: ReadonlySet<string>,
  skipped: readonly SkippedFile[],
): Promise<number> {
  const reasonOf = new Map(skipped.map((file) => [file.key, file.reason]));
  const recordedAt = utcWallClock(options.nowMs);
  const rows: SqlValue[][] = [];
  for (const manifest of manifests) {
    const missing = manifest.files.filter((file) => notLoaded.has(file) && !reasonOf.has(file));
    if (missing.length > 0) break;
    const leftOut = [
      ...manifest.refused.map((file) => file.key),
      ...manifest.files.filter((file) => reasonOf.has(file)),
    ];
    const problem =
      manifest.problem ??
      (leftOut.length > 0 ? leftOut.map((key) => `${key}: ${reasonOf.get(key)}`).join('; ') : null);
    rows.push([
      manifest.key,
      utcWallClock(manifest.arrivedAtMs > 0 ? manifest.arrivedAtMs : options.nowMs),
      manifest.files.length + manifest.refused.length,
      problem,
      recordedAt,
    ]);
  }
  if (rows.length > 0)
    await options.warehouse.executeMany(readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_arrival.sql'), rows);
  return rows.length;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: a TIMESTAMP_NTZ both warehouses read the same way. */
function utcWallClock(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}

/** bronze.load_staging's new rows counted, then MERGEd into bronze with the load's id. */
async function mergeStagedRows(
  warehouse: Warehouse,
  loadId: string,
): Promise<readonly NewRowsOfFileAndDay[]> {
  const newRows = await warehouse.query<NewRowsOfFileAndDay>(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/count_new_rows_by_file.sql'),
  );
  await warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/merge_staged_events.sql'), [loadId]);
  return newRows;
}
