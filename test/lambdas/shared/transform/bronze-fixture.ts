import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GeneratorOptions,
  generateEventLines,
} from '../../../../lambdas/producer/generator/generate-events.js';
import type { ListeningEvent } from '../../../../lambdas/shared/event-contract/listening-event.js';
import { parseListeningEventJson } from '../../../../lambdas/shared/event-contract/validate-listening-event.js';
import {
  DEFAULT_SQL_DIR,
  readDuckDbCompatibilitySql,
} from '../../../../lambdas/shared/warehouse/sql-files.js';
import type { SqlValue, Warehouse } from '../../../../lambdas/shared/warehouse/warehouse.js';
import { openDuckDbWarehouse } from '../../../../local/warehouse/duckdb-warehouse.js';

/** One bronze.listening_events row as a loader would write it; fields may break the contract. */
export interface BronzeRow {
  readonly event_id: string;
  readonly schema_version: number | null;
  readonly session_id: string | null;
  readonly user_id: string | null;
  readonly song_id: string | null;
  readonly artist_name: string | null;
  readonly song_name: string | null;
  readonly event_type: string | null;
  readonly device_type: string | null;
  readonly country: string | null;
  readonly ms_played: number | null;
  readonly event_timestamp: string | null;
  readonly source_file: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly loaded_at: string;
}

export interface TestWarehouse {
  readonly warehouse: Warehouse;
  readonly path: string;
  /** The temporary folder holding the file. */
  readonly dir: string;
  /** Closes the warehouse and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * A DuckDB warehouse in a temporary file with the Snowflake-compatibility macros and the project's
 * bronze DDL, minus bronze's PRIMARY KEY: Snowflake does not enforce primary keys, so bronze there
 * can hold an event twice, and these tests check that silver copes as it must on Snowflake.
 */
export async function openTestWarehouse(): Promise<TestWarehouse> {
  const dir = mkdtempSync(join(tmpdir(), 'sql-models-'));
  const path = join(dir, 'warehouse.duckdb');
  const warehouse = await openDuckDbWarehouse(path, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
  for (const file of [
    'create_schema.sql',
    'create_listening_events.sql',
    'create_load_ledger.sql',
    'create_loads.sql',
  ]) {
    await warehouse.execute(bronzeDdl(file));
  }
  return {
    warehouse,
    path,
    dir,
    dispose: async () => {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function bronzeDdl(file: string): string {
  const ddl = readFileSync(join(DEFAULT_SQL_DIR, 'bronze', file), 'utf8');
  // Like Snowflake, bronze declares no enforced key on event_id, so a duplicate row can be inserted.
  if (file === 'create_listening_events.sql' && /PRIMARY KEY \(event_id\)/.test(ddl)) {
    throw new Error(
      `sql/bronze/${file} declares PRIMARY KEY (event_id): the duplicate-row fixture needs bronze without one`,
    );
  }
  return ddl;
}

/**
 * When the tests' single load of generated events happened: after the generator's first week (it
 * starts on 2026-01-01), so that every generated event was in the lake by then.
 */
export const LOADED_AFTER_FIRST_WEEK = '2026-01-08 00:05:00';

const BRONZE_COLUMNS = [
  'event_id',
  'schema_version',
  'session_id',
  'user_id',
  'song_id',
  'artist_name',
  'song_name',
  'event_type',
  'device_type',
  'country',
  'ms_played',
  'event_timestamp',
  'source_file',
  'loaded_at',
] as const satisfies readonly (keyof BronzeRow)[];
const ROWS_PER_INSERT = 200;

/**
 * Inserts the rows as one load would: every row carries the load's id, and the load is recorded in
 * bronze.loads (what a transformation batch claims). Returns the load id.
 */
export async function insertBronzeRows(warehouse: Warehouse, rows: readonly BronzeRow[]): Promise<string> {
  const [counted] = await warehouse.query<{ loads: number }>('SELECT COUNT(*) AS loads FROM bronze.loads');
  const loadId = `fixture/${Number(counted?.loads ?? 0) + 1}`;
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const placeholders = chunk
      .map(
        () =>
          `(${BRONZE_COLUMNS.map((column) => (column === 'loaded_at' ? 'CAST(? AS TIMESTAMP)' : '?')).join(', ')}, ?)`,
      )
      .join(',\n');
    const binds: SqlValue[] = chunk.flatMap((row) => [
      ...BRONZE_COLUMNS.map((column) => row[column]),
      loadId,
    ]);
    await warehouse.execute(
      `INSERT INTO bronze.listening_events (${BRONZE_COLUMNS.join(', ')}, load_id) VALUES ${placeholders}`,
      binds,
    );
  }
  const loadedAt = rows.reduce(
    (latest, row) => (row.loaded_at > latest ? row.loaded_at : latest),
    '1970-01-01 00:00:00',
  );
  await warehouse.execute('INSERT INTO bronze.loads VALUES (?, ?, CAST(? AS TIMESTAMP), 1, ?)', [
    loadId,
    'fixture',
    loadedAt,
    rows.length,
  ]);
  return loadId;
}

/** A valid event as the loader writes it to bronze. */
export function bronzeRowOf(event: ListeningEvent, sourceFile: string, loadedAt: string): BronzeRow {
  return {
    event_id: event.event_id,
    schema_version: event.schema_version,
    session_id: event.session_id,
    user_id: event.user_id,
    song_id: event.song_id,
    artist_name: event.artist_name,
    song_name: event.song_name,
    event_type: event.event_type,
    device_type: event.device_type,
    country: event.country,
    ms_played: event.ms_played,
    event_timestamp: event.timestamp,
    source_file: sourceFile,
    loaded_at: loadedAt,
  };
}

/**
 * The generator's valid events, in order, once per event_id (its `duplicate` faults repeat an
 * event: the loader keeps the first), and how many lines were refused by the contract.
 */
export function validGeneratedEvents(options: GeneratorOptions): {
  events: ListeningEvent[];
  duplicates: ListeningEvent[];
  malformedLines: number;
} {
  const events: ListeningEvent[] = [];
  const duplicates: ListeningEvent[] = [];
  const seen = new Set<string>();
  let malformedLines = 0;
  for (const line of generateEventLines(options)) {
    const parsed = parseListeningEventJson(line.text);
    if (!parsed.ok) {
      malformedLines++;
      continue;
    }
    if (seen.has(parsed.event.event_id)) duplicates.push(parsed.event);
    else {
      seen.add(parsed.event.event_id);
      events.push(parsed.event);
    }
  }
  return { events, duplicates, malformedLines };
}

/** Bronze rows of `events`, loaded at `loadedAt`, 500 to a lake object as hourly files would hold them. */
export function bronzeRowsOf(
  events: readonly ListeningEvent[],
  loadedAt: string,
  filePrefix: string,
): BronzeRow[] {
  return events.map((event, index) =>
    bronzeRowOf(event, `${filePrefix}/part-${Math.floor(index / 500)}.ndjson.gz`, loadedAt),
  );
}

/**
 * The events with no session_id for the first `users` users (by id), as clients that send none
 * leave them: the pipeline groups those into sessions by the 30-minute gap.
 */
export function withoutSessionIds(events: readonly ListeningEvent[], users: number): ListeningEvent[] {
  const sessionless = new Set([...new Set(events.map((event) => event.user_id))].sort().slice(0, users));
  return events.map((event) => (sessionless.has(event.user_id) ? { ...event, session_id: null } : event));
}
