import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DuckDbWarehouse } from '../shared/warehouse/duckdb-warehouse.js';
import { BRONZE_DDL, sqlStatement } from '../shared/warehouse/sql-files.js';
import {
  bronzeHourFolder,
  hourOfBronzeKey,
  type LoadWindow,
  selectFilesToLoad,
} from './lake-file-selection.js';
import { parseBronzeFile, type RejectedLine, type StagedRow } from './parse-bronze-file.js';

const gunzipAsync = promisify(gunzip);

/** Files downloaded at once. */
const PARALLEL_DOWNLOADS = 8;
/** Files per transaction: each commit records its files in the ledger with their rows. */
const FILES_PER_TRANSACTION = 500;

export interface LoadSummary {
  readonly filesFound: number;
  readonly filesLoaded: number;
  readonly rowsInFiles: number;
  readonly rowsInserted: number;
  readonly linesRejected: number;
  /** UTC days (YYYY-MM-DD) that received new rows: what an incremental transformation must rebuild. */
  readonly daysTouched: readonly string[];
}

export interface LoadOptions {
  readonly warehouse: DuckDbWarehouse;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly window: LoadWindow;
  readonly nowMs: number;
  readonly includeOpenHour: boolean;
  /** Called inside each transaction after the MERGE and before the commit. Tests crash here. */
  readonly beforeCommit?: () => Promise<void> | void;
}

/**
 * Loads the lake's new files into the embedded warehouse, exactly once: the files of closed hours
 * in the window that the ledger does not list are fetched with the AWS SDK, read by DuckDB's JSON
 * reader into a staging table (or, for a file it refuses, line by line through the contract
 * validator), MERGEd on event_id, and recorded in the ledger in the same transaction. A rerun adds
 * nothing; a crash rolls the whole transaction back.
 */
export async function loadLakeIntoDuckDb(options: LoadOptions): Promise<LoadSummary> {
  const { warehouse } = options;
  for (const statement of BRONZE_DDL) await warehouse.execute(sqlStatement(statement));

  const firstFolder = bronzeHourFolder(options.window.fromMs);
  const listed = await listKeys(options.s3, options.bucket, firstFolder);
  const loadedRows = await warehouse.query<{ file_key: string }>(
    sqlStatement('loader/loaded_files_in_range.sql'),
    [firstFolder, bronzeHourFolder(options.window.toMs)],
  );
  const loaded = new Set(loadedRows.map((row) => row.file_key));
  const files = selectFilesToLoad(listed, loaded, options.window, options.nowMs, options.includeOpenHour);

  let rowsInFiles = 0;
  let rowsInserted = 0;
  let linesRejected = 0;
  const daysTouched = new Set<string>();
  const folder = await mkdtemp(join(tmpdir(), 'lake-load-'));
  try {
    for (let start = 0; start < files.length; start += FILES_PER_TRANSACTION) {
      const downloaded = await downloadToFolder(
        options.s3,
        options.bucket,
        files.slice(start, start + FILES_PER_TRANSACTION),
        folder,
      );
      let outcome: ChunkOutcome;
      try {
        outcome = await warehouse.inTransaction(() =>
          loadChunk(options, downloaded, () => stageNatively(warehouse, downloaded)),
        );
      } catch (error) {
        if (!isJsonReadError(error)) throw error;
        // A file DuckDB's reader refuses (a value of the wrong type): check every line with the
        // contract validator instead, and keep the lines it refuses with their reasons.
        const parsed = await Promise.all(
          downloaded.map(async (file) => ({
            key: file.key,
            ...parseBronzeFile(await readGzippedText(file.path)),
          })),
        );
        outcome = await warehouse.inTransaction(() =>
          loadChunk(options, downloaded, () => stageParsed(warehouse, parsed)),
        );
      }
      rowsInFiles += outcome.rowsInFiles;
      rowsInserted += outcome.rowsInserted;
      linesRejected += outcome.linesRejected;
      for (const day of outcome.daysTouched) daysTouched.add(day);
      await Promise.all(downloaded.map((file) => rm(file.path, { force: true })));
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return {
    filesFound: files.length,
    filesLoaded: files.length,
    rowsInFiles,
    rowsInserted,
    linesRejected,
    daysTouched: [...daysTouched].sort(),
  };
}

interface DownloadedFile {
  readonly key: string;
  readonly path: string;
}

interface ChunkOutcome {
  readonly rowsInFiles: number;
  readonly rowsInserted: number;
  readonly linesRejected: number;
  readonly daysTouched: readonly string[];
}

/** Stages the chunk's rows, MERGEs them and records every file in the ledger: the body of one transaction. */
async function loadChunk(
  options: LoadOptions,
  files: readonly DownloadedFile[],
  stage: () => Promise<{
    rejects: ReadonlyMap<string, readonly RejectedLine[]>;
    lines: ReadonlyMap<string, number>;
  }>,
): Promise<ChunkOutcome> {
  const { warehouse } = options;
  await warehouse.execute(sqlStatement('loader/empty_staging.sql'));
  const staged = await stage();
  const newRows = await warehouse.query<{ source_file: string; event_day: string; new_rows: number }>(
    sqlStatement('loader/count_new_rows_by_file.sql'),
  );
  await warehouse.execute(sqlStatement('loader/merge_staged_events.sql'));
  const newByFile = new Map<string, number>();
  for (const row of newRows)
    newByFile.set(row.source_file, (newByFile.get(row.source_file) ?? 0) + Number(row.new_rows));
  let rowsInFiles = 0;
  let linesRejected = 0;
  for (const file of files) {
    const rejects = staged.rejects.get(file.key) ?? [];
    for (const reject of rejects) {
      await warehouse.execute(sqlStatement('loader/record_rejected_line.sql'), [
        file.key,
        reject.lineNumber,
        reject.rawLine,
        reject.reason,
      ]);
    }
    const lines = staged.lines.get(file.key) ?? 0;
    rowsInFiles += lines;
    linesRejected += rejects.length;
    await warehouse.execute(sqlStatement('loader/record_loaded_file.sql'), [
      file.key,
      bronzeHourFolder(hourOfBronzeKey(file.key)!),
      lines,
      newByFile.get(file.key) ?? 0,
    ]);
  }
  await warehouse.execute(sqlStatement('loader/empty_staging.sql'));
  await options.beforeCommit?.();
  return {
    rowsInFiles,
    rowsInserted: newRows.reduce((sum, row) => sum + Number(row.new_rows), 0),
    linesRejected,
    daysTouched: [...new Set(newRows.map((row) => row.event_day))],
  };
}

/** DuckDB reads the gzipped files itself: no per-line work in JavaScript. */
async function stageNatively(warehouse: DuckDbWarehouse, files: readonly DownloadedFile[]) {
  await warehouse.executeWithStringList(
    sqlStatement('duckdb/set_load_files.sql'),
    files.map((file) => file.path),
  );
  await warehouse.executeWithStringList(
    sqlStatement('duckdb/set_load_file_keys.sql'),
    files.map((file) => file.key),
  );
  await warehouse.execute(sqlStatement('duckdb/stage_lake_files.sql'));
  const counts = await warehouse.query<{ source_file: string; staged_rows: number }>(
    sqlStatement('loader/staged_rows_by_file.sql'),
  );
  return {
    rejects: new Map(),
    lines: new Map(counts.map((row) => [row.source_file, Number(row.staged_rows)])),
  };
}

async function stageParsed(warehouse: DuckDbWarehouse, files: readonly ParsedFile[]) {
  await stageRows(warehouse, files);
  return {
    rejects: new Map(files.map((file) => [file.key, file.rejects])),
    lines: new Map(files.map((file) => [file.key, file.lines])),
  };
}

function isJsonReadError(error: unknown): boolean {
  return error instanceof Error && /JSON|Conversion Error|Invalid Input Error/i.test(error.message);
}

async function readGzippedText(path: string): Promise<string> {
  return (await gunzipAsync(await readFile(path))).toString('utf8');
}

interface ParsedFile {
  readonly key: string;
  readonly rows: readonly StagedRow[];
  readonly rejects: readonly RejectedLine[];
  readonly lines: number;
}

async function listKeys(s3: S3Client, bucket: string, startAtFolder: string): Promise<string[]> {
  const keys: string[] = [];
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
    for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
  return keys;
}

async function downloadToFolder(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  folder: string,
): Promise<DownloadedFile[]> {
  const downloaded: DownloadedFile[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      const key = keys[index]!;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const path = join(folder, `${index}.ndjson.gz`);
      await writeFile(path, await object.Body!.transformToByteArray());
      downloaded[index] = { key, path };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, keys.length) }, worker));
  return downloaded;
}

async function stageRows(warehouse: DuckDbWarehouse, files: readonly ParsedFile[]): Promise<void> {
  await warehouse.append('bronze', 'load_staging', (appender) => {
    const text = (value: string | null) =>
      value === null ? appender.appendNull() : appender.appendVarchar(value);
    for (const file of files) {
      for (const { event, lineNumber } of file.rows) {
        appender.appendVarchar(event.event_id);
        appender.appendInteger(event.schema_version);
        text(event.session_id);
        appender.appendVarchar(event.user_id);
        appender.appendVarchar(event.song_id);
        appender.appendVarchar(event.artist_name);
        appender.appendVarchar(event.song_name);
        appender.appendVarchar(event.event_type);
        appender.appendVarchar(event.device_type);
        appender.appendVarchar(event.country);
        if (event.ms_played === null) appender.appendNull();
        else appender.appendBigInt(BigInt(event.ms_played));
        appender.appendVarchar(event.timestamp);
        appender.appendVarchar(file.key);
        appender.appendBigInt(BigInt(lineNumber));
        appender.endRow();
      }
    }
  });
}
