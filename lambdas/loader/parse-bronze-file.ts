import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ListeningEvent } from '../shared/event-contract/listening-event.js';
import {
  describeProblems,
  parseListeningEventJson,
} from '../shared/event-contract/validate-listening-event.js';
import type { SqlValue } from '../shared/warehouse/warehouse.js';

const gunzipAsync = promisify(gunzip);

export interface StagedRow {
  readonly event: ListeningEvent;
  readonly lineNumber: number;
}

export interface RejectedLine {
  readonly lineNumber: number;
  readonly rawLine: string;
  readonly reason: string;
}

/**
 * A lake file's lines, checked once more against the contract on their way into the warehouse
 * (a file in bronze/ may have been put there by hand or by another writer): events to stage, and
 * the lines that are not, each with its reason. Line numbers start at 1.
 */
export function parseBronzeFile(text: string): { rows: StagedRow[]; rejects: RejectedLine[]; lines: number } {
  const rows: StagedRow[] = [];
  const rejects: RejectedLine[] = [];
  let lineNumber = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (line === '' && start >= text.length) break;
    const result = parseListeningEventJson(line);
    if (result.ok) rows.push({ event: result.event, lineNumber });
    else rejects.push({ lineNumber, rawLine: line, reason: describeProblems(result.problems) });
  }
  return { rows, rejects, lines: lineNumber };
}

/** A lake object as stored (gzipped newline-delimited JSON), checked line by line. */
export async function parseLakeObject(gzipped: Uint8Array): Promise<ReturnType<typeof parseBronzeFile>> {
  return parseBronzeFile((await gunzipAsync(gzipped)).toString('utf8'));
}

/**
 * What each of bronze.load_staging's columns holds, in the table's order
 * (sql/loader/{duckdb,snowflake}/; test/sql/load-staging-tables.test.ts holds the three together).
 */
export const LOAD_STAGING_COLUMN_KINDS = [
  'text', // event_id
  'integer', // schema_version
  'text', // session_id
  'text', // user_id
  'text', // song_id
  'text', // artist_name
  'text', // song_name
  'text', // event_type
  'text', // device_type
  'text', // country
  'bigint', // ms_played
  'text', // event_timestamp
  'text', // source_file
  'bigint', // line_number
] as const;

/** A staged event as the values of bronze.load_staging's columns, in the table's order. */
export function loadStagingRow(sourceFile: string, { event, lineNumber }: StagedRow): SqlValue[] {
  return [
    event.event_id,
    event.schema_version,
    event.session_id,
    event.user_id,
    event.song_id,
    event.artist_name,
    event.song_name,
    event.event_type,
    event.device_type,
    event.country,
    event.ms_played,
    event.timestamp,
    sourceFile,
    lineNumber,
  ];
}
