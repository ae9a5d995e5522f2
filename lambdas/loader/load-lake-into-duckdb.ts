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
 * at run time, which offline machines cannot), then read by DuckDB's own JSON reader. A file the
 * reader refuses (a value of the wrong type, a line that is not JSON) is staged line by line
 * through the contract validator instead, and its bad lines kept with their reasons.
 */
export class DuckDbLakeStager implements LakeStager {
  private folder: string | undefined;
  private readonly localPaths = new Map<string, string>();
  private filesFetched = 0;

  constructor(
    private readonly warehouse: DuckDbWarehouse,
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async prepare(keys: readonly string[]): Promise<void> {
    this.folder ??= await mkdtemp(join(tmpdir(), 'lake-load-'));
    const folder = this.folder;
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const index = next++;
        const key = keys[index]!;
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const path = join(folder, `${this.filesFetched++}.ndjson.gz`);
        await writeFile(path, await object.Body!.transformToByteArray());
        this.localPaths.set(key, path);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, keys.length) }, worker));
  }

  async stage(keys: readonly string[]): Promise<StagedChunk> {
    const paths = keys.map((key) => this.localPaths.get(key)!);
    await this.warehouse.executeWithStringList(sqlStatement('duckdb/set_load_files.sql'), paths);
    await this.warehouse.executeWithStringList(sqlStatement('duckdb/set_load_file_keys.sql'), keys);
    await this.warehouse.execute(sqlStatement('duckdb/stage_lake_files.sql'));
    const counts = await this.warehouse.query<{ source_file: string; staged_rows: number }>(
      sqlStatement('duckdb/lake_rows_by_file.sql'),
    );
    return {
      linesByFile: new Map(counts.map((row) => [row.source_file, Number(row.staged_rows)])),
      rejectsByFile: new Map(),
      insertNewRows: () => this.insertNewLakeRows(),
    };
  }

  /** The staged rows (a temporary table in memory) bronze takes: chosen once, counted, inserted. */
  private async insertNewLakeRows(): Promise<readonly NewRowsOfFileAndDay[]> {
    await this.warehouse.execute(sqlStatement('duckdb/select_new_lake_rows.sql'));
    const newRows = await this.warehouse.query<NewRowsOfFileAndDay>(
      sqlStatement('duckdb/count_new_lake_rows.sql'),
    );
    await this.warehouse.execute(sqlStatement('duckdb/insert_new_lake_rows.sql'));
    await this.warehouse.execute(sqlStatement('duckdb/drop_new_lake_rows.sql'));
    await this.warehouse.execute(sqlStatement('duckdb/drop_lake_rows.sql'));
    return newRows;
  }

  async stageLineByLine(keys: readonly string[]): Promise<StagedChunk> {
    const linesByFile = new Map<string, number>();
    const rejectsByFile = new Map<string, ReturnType<typeof parseBronzeFile>['rejects']>();
    const parsedFiles: { key: string; parsed: ReturnType<typeof parseBronzeFile> }[] = [];
    for (const key of keys) {
      const text = (await gunzipAsync(await readFile(this.localPaths.get(key)!))).toString('utf8');
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
    return error instanceof Error && /JSON|Conversion Error|Invalid Input Error/i.test(error.message);
  }

  async release(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.localPaths.get(key) ?? '', { force: true })));
    for (const key of keys) this.localPaths.delete(key);
  }

  async dispose(): Promise<void> {
    if (this.folder !== undefined) await rm(this.folder, { recursive: true, force: true });
    this.folder = undefined;
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
