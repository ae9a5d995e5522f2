import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import {
  type LakeStager,
  type LoadOptions,
  type LoadSummary,
  loadLake,
  type NewRowsOfFileAndDay,
  type StagedChunk,
} from '../../lambdas/loader/load-lake.js';
import {
  LOAD_STAGING_COLUMN_KINDS,
  loadStagingRow,
  parseLakeObject,
  type RejectedLine,
} from '../../lambdas/loader/parse-bronze-file.js';
import { mapInParallel } from '../../lambdas/shared/runtime/in-parallel.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../../lambdas/shared/warehouse/sql-files.js';
import type { DuckDbWarehouse } from '../warehouse/duckdb-warehouse.js';

/** Files downloaded at once. */
const PARALLEL_DOWNLOADS = 8;

/**
 * Lake files into DuckDB: downloaded with the AWS SDK (DuckDB's httpfs would fetch its extension
 * at run time, which offline machines cannot), then streamed by DuckDB's own JSON reader straight
 * into bronze, after which the copies bronze must not keep are deleted. A file the reader refuses
 * (a value of the wrong type, a line that is not JSON) is read line by line through the contract
 * validator instead, its bad lines kept with their reasons, while the rest of the batch stays on
 * the reader. The error names the file; when it does not (a line with no event_id fails bronze's
 * NOT NULL), the whole batch is read line by line.
 */
export class DuckDbLakeStager implements LakeStager {
  private folder: string | undefined;
  /**
   * The chunk's keys; the n-th is downloaded to `<folder>/<n>`, not to a path made of the key,
   * which may hold `..` or `//`.
   */
  private preparedKeys: readonly string[] = [];
  private readonly fileNumbers = new Map<string, number>();
  /** Files of the batch the JSON reader refused, read line by line from now on. */
  private readonly lineByLineKeys = new Set<string>();

  constructor(
    private readonly warehouse: DuckDbWarehouse,
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async startLoad(): Promise<void> {
    await this.warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/create_load_staging.sql'));
  }

  async prepare(keys: readonly string[]): Promise<readonly string[]> {
    this.folder ??= await mkdtemp(join(tmpdir(), 'lake-load-'));
    this.preparedKeys = [...keys];
    this.fileNumbers.clear();
    this.lineByLineKeys.clear();
    for (const [index, key] of keys.entries()) this.fileNumbers.set(key, index + 1);
    const missing: string[] = [];
    await mapInParallel(keys, PARALLEL_DOWNLOADS, async (key) => {
      try {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        await writeFile(this.localPath(key), await object.Body!.transformToByteArray());
      } catch (error) {
        if (!(error instanceof NoSuchKey)) throw error;
        missing.push(key);
      }
    });
    return missing.sort();
  }

  async stage(keys: readonly string[], loadId: string): Promise<StagedChunk> {
    const readerKeys = keys.filter((key) => !this.lineByLineKeys.has(key));
    const lineByLineKeys = keys.filter((key) => this.lineByLineKeys.has(key));
    await this.warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_stamp.sql'));
    await this.warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_id.sql'), [
      loadId,
    ]);
    const linesByFile = new Map<string, number>();
    if (readerKeys.length > 0) {
      await this.warehouse.executeWithStringList(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_files.sql'),
        readerKeys.map((key) => this.localPath(key)),
      );
      await this.warehouse.executeWithStringList(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_file_keys.sql'),
        this.preparedKeys,
      );
      await this.warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_folder.sql'), [
        this.folder!,
      ]);
      await this.warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/insert_lake_files.sql'));
      const counts = await this.warehouse.query<{ source_file: string; staged_rows: number }>(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/lake_rows_by_file.sql'),
      );
      for (const row of counts) linesByFile.set(row.source_file, Number(row.staged_rows));
    }
    const rejectsByFile = new Map<string, readonly RejectedLine[]>();
    if (lineByLineKeys.length > 0) {
      const parsedFiles = await this.appendLineByLine(lineByLineKeys);
      for (const { key, parsed } of parsedFiles) {
        linesByFile.set(key, parsed.lines);
        rejectsByFile.set(key, parsed.rejects);
      }
      await this.warehouse.execute(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/insert_staged_lines.sql'),
      );
    }
    return {
      linesByFile,
      rejectsByFile,
      mergeNewRows: () => this.keepFirstSightings(),
      filesReadLineByLine: lineByLineKeys.length,
    };
  }

  /** The rows just inserted, less those bronze must not keep, counted per file and day. */
  private async keepFirstSightings(): Promise<readonly NewRowsOfFileAndDay[]> {
    await this.warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/delete_later_copies.sql'));
    return this.warehouse.query<NewRowsOfFileAndDay>(
      readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/count_new_lake_rows.sql'),
    );
  }

  /** The files' lines checked against the contract; the events appended to bronze.load_staging. */
  private async appendLineByLine(
    keys: readonly string[],
  ): Promise<{ key: string; parsed: Awaited<ReturnType<typeof parseLakeObject>> }[]> {
    const parsedFiles: { key: string; parsed: Awaited<ReturnType<typeof parseLakeObject>> }[] = [];
    for (const key of keys)
      parsedFiles.push({ key, parsed: await parseLakeObject(await readFile(this.localPath(key))) });
    await this.warehouse.append('bronze', 'load_staging', (appender) => {
      for (const { key, parsed } of parsedFiles) {
        for (const row of parsed.rows) {
          for (const [column, value] of loadStagingRow(key, row).entries()) {
            const kind = LOAD_STAGING_COLUMN_KINDS[column];
            if (value === null) appender.appendNull();
            else if (kind === 'integer') appender.appendInteger(Number(value));
            else if (kind === 'bigint') appender.appendBigInt(BigInt(value));
            else appender.appendVarchar(String(value));
          }
          appender.endRow();
        }
      }
    });
    return parsedFiles;
  }

  /**
   * After `stage` failed: if the error is about a file's content, that file is read line by line
   * from now on (every file of the batch, if the error names none). False when there is nothing
   * left to change, so the error stands.
   */
  readLineByLineAfter(error: unknown): boolean {
    if (!(error instanceof Error) || !isContentError(error)) return false;
    const named = /in file "([^"]+)"/.exec(error.message)?.[1];
    const key = this.preparedKeys.find((candidate) => this.localPath(candidate) === named);
    const before = this.lineByLineKeys.size;
    for (const candidate of key === undefined ? this.preparedKeys : [key]) this.lineByLineKeys.add(candidate);
    return this.lineByLineKeys.size > before;
  }

  async release(keys: readonly string[]): Promise<void> {
    await Promise.all(
      keys.filter((key) => this.fileNumbers.has(key)).map((key) => rm(this.localPath(key), { force: true })),
    );
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

/** Errors about what a file holds, not about the warehouse: DuckDB's JSON reader and bronze's NOT NULL. */
function isContentError(error: Error): boolean {
  return /JSON|Conversion Error|Invalid Input Error|NOT NULL constraint failed/i.test(error.message);
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
