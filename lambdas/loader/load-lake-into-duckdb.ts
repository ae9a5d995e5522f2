import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DuckDbWarehouse } from '../shared/warehouse/duckdb-warehouse.js';
import { sqlStatement } from '../shared/warehouse/sql-files.js';
import {
  type LakeStager,
  type LoadOptions,
  type LoadSummary,
  loadLake,
  type NewRowsOfFileAndDay,
  type StagedChunk,
} from './load-lake.js';
import { parseBronzeFile } from './parse-bronze-file.js';

const gunzipAsync = promisify(gunzip);

/** Files downloaded at once. */
const PARALLEL_DOWNLOADS = 8;

/**
 * Lake files into DuckDB: downloaded with the AWS SDK (DuckDB's httpfs would fetch its extension
 * at run time, which offline machines cannot), then streamed by DuckDB's own JSON reader straight
 * into bronze, after which the copies bronze must not keep are deleted. A file the reader refuses
 * (a value of the wrong type, a line that is not JSON, a line with no event_id) is staged line by
 * line through the contract validator instead, and its bad lines kept with their reasons.
 */
export class DuckDbLakeStager implements LakeStager {
  private folder: string | undefined;
  /**
   * The chunk's keys; the n-th is downloaded to `<folder>/<n>`, not to a path made of the key,
   * which may hold `..` or `//`.
   */
  private preparedKeys: readonly string[] = [];
  private readonly fileNumbers = new Map<string, number>();

  constructor(
    private readonly warehouse: DuckDbWarehouse,
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async prepare(keys: readonly string[]): Promise<void> {
    this.folder ??= await mkdtemp(join(tmpdir(), 'lake-load-'));
    this.preparedKeys = [...keys];
    this.fileNumbers.clear();
    for (const [index, key] of keys.entries()) this.fileNumbers.set(key, index + 1);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        await writeFile(this.localPath(key), await object.Body!.transformToByteArray());
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, keys.length) }, worker));
  }

  async stage(keys: readonly string[]): Promise<StagedChunk> {
    await this.warehouse.executeWithStringList(
      sqlStatement('duckdb/set_load_files.sql'),
      keys.map((key) => this.localPath(key)),
    );
    await this.warehouse.executeWithStringList(
      sqlStatement('duckdb/set_load_file_keys.sql'),
      this.preparedKeys,
    );
    await this.warehouse.execute(sqlStatement('duckdb/set_load_folder.sql'), [this.folder!]);
    await this.warehouse.execute(sqlStatement('duckdb/set_load_stamp.sql'));
    await this.warehouse.execute(sqlStatement('duckdb/insert_lake_files.sql'));
    const counts = await this.warehouse.query<{ source_file: string; staged_rows: number }>(
      sqlStatement('duckdb/lake_rows_by_file.sql'),
    );
    return {
      linesByFile: new Map(counts.map((row) => [row.source_file, Number(row.staged_rows)])),
      rejectsByFile: new Map(),
      mergeNewRows: () => this.keepFirstSightings(),
    };
  }

  /** The rows just inserted, less those bronze must not keep, counted per file and day. */
  private async keepFirstSightings(): Promise<readonly NewRowsOfFileAndDay[]> {
    await this.warehouse.execute(sqlStatement('duckdb/delete_later_copies.sql'));
    return this.warehouse.query<NewRowsOfFileAndDay>(sqlStatement('duckdb/count_new_lake_rows.sql'));
  }

  async stageLineByLine(keys: readonly string[]): Promise<StagedChunk> {
    const linesByFile = new Map<string, number>();
    const rejectsByFile = new Map<string, ReturnType<typeof parseBronzeFile>['rejects']>();
    const parsedFiles: { key: string; parsed: ReturnType<typeof parseBronzeFile> }[] = [];
    for (const key of keys) {
      const text = (await gunzipAsync(await readFile(this.localPath(key)))).toString('utf8');
      const parsed = parseBronzeFile(text);
      parsedFiles.push({ key, parsed });
      linesByFile.set(key, parsed.lines);
      rejectsByFile.set(key, parsed.rejects);
    }
    await this.warehouse.append('bronze', 'load_staging', (appender) => {
      for (const { key, parsed } of parsedFiles) {
        for (const { event, lineNumber } of parsed.rows) {
          appender.appendVarchar(event.event_id);
          appender.appendInteger(event.schema_version);
          if (event.session_id === null) appender.appendNull();
          else appender.appendVarchar(event.session_id);
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
          appender.appendVarchar(key);
          appender.appendBigInt(BigInt(lineNumber));
          appender.endRow();
        }
      }
    });
    return { linesByFile, rejectsByFile };
  }

  isContentError(error: unknown): boolean {
    return (
      error instanceof Error &&
      /JSON|Conversion Error|Invalid Input Error|NOT NULL constraint failed/i.test(error.message)
    );
  }

  async release(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.localPath(key), { force: true })));
  }

  async dispose(): Promise<void> {
    if (this.folder !== undefined) await rm(this.folder, { recursive: true, force: true });
    this.folder = undefined;
  }

  private localPath(key: string): string {
    const fileNumber = this.fileNumbers.get(key);
    if (fileNumber === undefined) throw new Error(`lake file ${key} was not prepared for loading`);
    return join(this.folder!, String(fileNumber));
  }
}

/** The local load: the lake into the embedded DuckDB warehouse. */
export async function loadLakeIntoDuckDb(
  options: Omit<LoadOptions, 'stager' | 'warehouse'> & { readonly warehouse: DuckDbWarehouse },
): Promise<LoadSummary> {
  const stager = new DuckDbLakeStager(options.warehouse, options.s3, options.bucket);
  try {
    return await loadLake({ ...options, stager });
  } finally {
    await stager.dispose();
  }
}
