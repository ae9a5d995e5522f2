import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SnowflakeStagingArea } from '../../lambdas/loader/snowflake-lake-stager.js';
import { BRONZE_PREFIX } from '../../lambdas/shared/lake/lake-layout.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../../lambdas/shared/warehouse/sql-files.js';
import type { SqlValue } from '../../lambdas/shared/warehouse/warehouse.js';

/** The staging columns COPY fills, each with the JSON field it reads and the type it casts to. */
const COPIED_FIELDS = [
  ['event_id', 'text'],
  ['schema_version', 'number'],
  ['session_id', 'text'],
  ['user_id', 'text'],
  ['song_id', 'text'],
  ['artist_name', 'text'],
  ['song_name', 'text'],
  ['event_type', 'text'],
  ['device_type', 'text'],
  ['country', 'text'],
  ['ms_played', 'number'],
  ['timestamp', 'text'],
] as const;

/**
 * The one step of the Snowflake path that cannot run off Snowflake, COPY INTO bronze.load_staging
 * from the stage over the lake, played on another engine so that every other statement of that
 * path runs for real. It does what sql/loader/snowflake/copy_lake_files_into_staging.sql asks of
 * Snowflake: every line of each named file, each field cast as the COPY's SELECT casts it
 * (`$1:field::VARCHAR`, `::INTEGER`, `::BIGINT`), with its lake key and line number
 * (METADATA$FILE_ROW_NUMBER), inserted by sql/loader/snowflake/stage_checked_lines.sql. A line
 * that is not a JSON object, or a value the cast refuses, fails the whole statement
 * (ON_ERROR = ABORT_STATEMENT) with Snowflake's wording, `File '<name under bronze/>', line N`.
 * The staging table is DuckDB's (sql/loader/duckdb/create_load_staging.sql, the same columns as
 * Snowflake's temporary one).
 */
export function emulatedStagingArea(s3: S3Client, bucket: string): SnowflakeStagingArea {
  return {
    create: (warehouse) =>
      warehouse.execute(readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/create_load_staging.sql')),
    copy: async (warehouse, keys) => {
      const rows: SqlValue[][] = [];
      for (const key of keys) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const text = gunzipSync(await object.Body!.transformToByteArray()).toString('utf8');
        const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
        for (const [index, line] of lines.entries()) rows.push(stagedRow(key, index + 1, line));
      }
      await warehouse.executeMany(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/snowflake/stage_checked_lines.sql'),
        rows,
      );
    },
  };
}

function stagedRow(key: string, lineNumber: number, line: string): SqlValue[] {
  const where = `File '${key.slice(BRONZE_PREFIX.length)}', line ${lineNumber}, character 1`;
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch {
    throw new Error(`Error parsing JSON: ${line.slice(0, 30)}  ${where}`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw new Error(`Error parsing JSON: not an object  ${where}`);
  const record = fields as Record<string, unknown>;
  return [...COPIED_FIELDS.map(([field, type]) => cast(record[field], type, where)), key, lineNumber];
}

/** A JSON value as Snowflake casts a VARIANT: text as is, numbers from numbers or numeric text. */
function cast(value: unknown, type: 'text' | 'number', where: string): SqlValue {
  if (value === undefined || value === null) return null;
  if (type === 'text') return typeof value === 'object' ? JSON.stringify(value) : String(value);
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (typeof value === 'boolean' || !Number.isFinite(number) || String(value).trim() === '')
    throw new Error(`Numeric value '${String(value)}' is not recognized  ${where}`);
  return Math.round(number);
}
