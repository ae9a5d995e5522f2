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
 * in the window that the ledger does not list are read with the AWS SDK, checked against the
 * contract, staged with DuckDB's appender and MERGEd on event_id, and recorded in the ledger in the
 * same transaction. A rerun adds nothing; a crash rolls the whole transaction back.
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
  for (let start = 0; start < files.length; start += FILES_PER_TRANSACTION) {
    const chunk = files.slice(start, start + FILES_PER_TRANSACTION);
    const parsed = await downloadAndParse(options.s3, options.bucket, chunk);
    const inserted = await warehouse.inTransaction(async () => {
      await warehouse.execute(sqlStatement('loader/empty_staging.sql'));
      await stageRows(warehouse, parsed);
      const newRows = await warehouse.query<{ source_file: string; new_rows: number }>(
        sqlStatement('loader/count_new_rows_by_file.sql'),
      );
      await warehouse.execute(sqlStatement('loader/merge_staged_events.sql'));
      const newByFile = new Map(newRows.map((row) => [row.source_file, Number(row.new_rows)]));
      for (const file of parsed) {
        for (const reject of file.rejects) {
          await warehouse.execute(sqlStatement('loader/record_rejected_line.sql'), [
            file.key,
            reject.lineNumber,
            reject.rawLine,
            reject.reason,
          ]);
        }
        await warehouse.execute(sqlStatement('loader/record_loaded_file.sql'), [
          file.key,
          bronzeHourFolder(hourOfBronzeKey(file.key)!),
          file.lines,
          newByFile.get(file.key) ?? 0,
        ]);
      }
      await warehouse.execute(sqlStatement('loader/empty_staging.sql'));
      await options.beforeCommit?.();
      return newByFile;
    });
    for (const file of parsed) {
      rowsInFiles += file.lines;
      linesRejected += file.rejects.length;
      const added = inserted.get(file.key) ?? 0;
      rowsInserted += added;
      if (added > 0) for (const row of file.rows) daysTouched.add(row.event.timestamp.slice(0, 10));
    }
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

async function downloadAndParse(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
): Promise<ParsedFile[]> {
  const parsed: ParsedFile[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      const key = keys[index]!;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = Buffer.from(await object.Body!.transformToByteArray());
      const text = (await gunzipAsync(bytes)).toString('utf8');
      parsed[index] = { key, ...parseBronzeFile(text) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, keys.length) }, worker));
  return parsed;
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
