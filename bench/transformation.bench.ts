import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBronzeTables } from '../lambdas/loader/bronze-tables.js';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../lambdas/shared/event-contract/validate-listening-event.js';
import { runTransformation } from '../lambdas/shared/transform/run-transformation.js';
import {
  DEFAULT_SQL_DIR,
  readDuckDbCompatibilitySql,
  readSqlStatement,
} from '../lambdas/shared/warehouse/sql-files.js';
import { openDuckDbWarehouse } from '../local/warehouse/duckdb-warehouse.js';
import type { BenchFigure } from './bench-figure.js';

const GENERATED = 1_000_000;
/** 10 copies make the 10 million events of the target (and 30 the tripled history); BENCH_TRANSFORM_COPIES=1 measures a million (and 3). */
const COPIES = Number(process.env.BENCH_TRANSFORM_COPIES ?? 10);
const HOURLY_EVENTS = 5_000;
/** Hourly runs timed after each full build; their median is the figure. */
const HOURS_TIMED = 5;
/** Read every field as the lake holds it (text), not as DuckDB would guess it (UUID, TIMESTAMP). */
const AS_TEXT = `columns = {event_id: 'VARCHAR', schema_version: 'INTEGER', session_id: 'VARCHAR', user_id: 'VARCHAR',
  song_id: 'VARCHAR', artist_name: 'VARCHAR', song_name: 'VARCHAR', event_type: 'VARCHAR', device_type: 'VARCHAR',
  country: 'VARCHAR', ms_played: 'BIGINT', "timestamp": 'VARCHAR'}`;

/** Each history copy is the generated million events a month later, with fresh ids as random as the producer's. */
const HISTORY_COPIES = [COPIES, 3 * COPIES] as const;

/**
 * The transformation plan on DuckDB over 10 million bronze events (a million generated events,
 * bronze-loaded ten times over with fresh ids, each copy a month later) as a full build, then an
 * hourly incremental run after one more hour of events is loaded; and the same hourly run over 30
 * million events of history. Each hourly run is printed beside the full build of 10 million.
 */
export async function run(): Promise<readonly BenchFigure[]> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-transform-'));
  try {
    const eventsFile = join(folder, 'events.ndjson');
    writeFileSync(eventsFile, canonicalLines(GENERATED, 3, Date.parse('2026-01-01T00:00:00Z')).join('\n'));
    const hourFile = join(folder, 'hour.ndjson');
    writeFileSync(
      hourFile,
      canonicalLines(HOURLY_EVENTS, 4, Date.parse('2029-01-01T00:00:00Z'), 2).join('\n'),
    );
    const [small, large] = [
      await fullBuildThenHour(folder, eventsFile, hourFile, HISTORY_COPIES[0]),
      await fullBuildThenHour(folder, eventsFile, hourFile, HISTORY_COPIES[1]),
    ];
    const fullBuild = {
      name: `full build of ${GENERATED * HISTORY_COPIES[0]} events`,
      value: small.fullSeconds,
      unit: 's',
    };
    return [
      {
        name: `transform.full_${GENERATED * HISTORY_COPIES[0]}_events_duckdb`,
        value: small.fullSeconds,
        unit: 's',
        baseline: { name: 'incremental run for one more hour', value: small.hourSeconds, unit: 's' },
        target: '<= 30 s',
      },
      {
        name: `transform.incremental_hour_over_${GENERATED * HISTORY_COPIES[0]}_events_duckdb`,
        value: small.hourSeconds,
        unit: 's',
        baseline: fullBuild,
        target: '<= 1/20 of the full build',
      },
      {
        name: `transform.incremental_hour_over_${GENERATED * HISTORY_COPIES[1]}_events_duckdb`,
        value: large.hourSeconds,
        unit: 's',
        baseline: fullBuild,
        target: '<= 1/20 of the full build',
      },
      {
        name: 'transform.incremental_hour_with_three_times_the_history',
        value: large.hourSeconds,
        unit: 's',
        baseline: {
          name: `the same hour over ${GENERATED * HISTORY_COPIES[0]} events`,
          value: small.hourSeconds,
          unit: 's',
        },
        target: '<= 1.25 times',
      },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A warehouse of `copies` million events of history: its full build, then one more hour, timed. */
async function fullBuildThenHour(
  folder: string,
  eventsFile: string,
  hourFile: string,
  copies: number,
): Promise<{ fullSeconds: number; hourSeconds: number }> {
  const path = join(folder, `warehouse-${copies}.duckdb`);
  const warehouse = await openDuckDbWarehouse(path, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
  try {
    await createBronzeTables(warehouse);
    await warehouse.executeWithStringList(
      readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_files.sql'),
      [eventsFile],
    );
    await warehouse.execute(
      `INSERT INTO bronze.listening_events
       SELECT md5(event_id || copy) AS event_id, schema_version, session_id, user_id, song_id, artist_name,
              song_name, event_type, device_type, country, ms_played,
              strftime(CAST("timestamp" AS TIMESTAMP) + to_days(CAST(31 * copy AS INTEGER)), '%Y-%m-%dT%H:%M:%S.%gZ'),
              'bench/events.ndjson', TIMESTAMP '2028-12-31 00:00:00', 'bench-history/1'
       FROM read_json(getvariable('load_files'), format = 'newline_delimited', ${AS_TEXT}), range(${copies}) AS copies(copy)
       -- In time order, as months of hourly loads arrive: each copy is a later month.
       ORDER BY copy`,
    );
    await warehouse.execute(
      `INSERT INTO bronze.loads VALUES ('bench-history/1', 'bench-history', TIMESTAMP '2028-12-31 00:00:00', 1, ${GENERATED * copies})`,
    );
    const [{ rows } = { rows: 0 }] = await warehouse.query<{ rows: number }>(
      'SELECT COUNT(*) AS rows FROM bronze.listening_events',
    );
    if (Number(rows) !== GENERATED * copies)
      throw new Error(`bronze holds ${rows} rows, not ${GENERATED * copies}`);

    let started = performance.now();
    const progress = (event: unknown) => {
      if (process.env.BENCH_VERBOSE)
        process.stderr.write(
          `${((performance.now() - started) / 1000).toFixed(2)} s ${JSON.stringify(event)}\n`,
        );
    };
    await runTransformation(warehouse, { batchId: 'bench-full', fullRefresh: true, onProgress: progress });
    const fullSeconds = (performance.now() - started) / 1000;

    // Several hours, one after another, each its own load and batch: the median is the figure
    // (a single run on a shared machine is too noisy to report).
    await warehouse.executeWithStringList(
      readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_files.sql'),
      [hourFile],
    );
    const hours: number[] = [];
    for (let hour = 1; hour <= HOURS_TIMED; hour++) {
      const loadId = `bench-hour/${hour}`;
      await warehouse.execute(
        `INSERT INTO bronze.listening_events
         SELECT md5(event_id || ${hour}), schema_version, session_id, user_id, song_id, artist_name, song_name, event_type,
                device_type, country, ms_played,
                strftime(CAST("timestamp" AS TIMESTAMP) + to_hours(${hour - 1}), '%Y-%m-%dT%H:%M:%S.%gZ'),
                'bench/hour.ndjson', TIMESTAMP '2029-01-01 00:05:00' + to_hours(${hour}), '${loadId}'
         FROM read_json(getvariable('load_files'), format = 'newline_delimited', ${AS_TEXT})`,
      );
      await warehouse.execute(
        `INSERT INTO bronze.loads VALUES ('${loadId}', 'bench-hour', TIMESTAMP '2029-01-01 00:05:00' + to_hours(${hour}), 1, ${HOURLY_EVENTS})`,
      );
      started = performance.now();
      await runTransformation(warehouse, { batchId: `bench-hour-${hour}`, onProgress: progress });
      hours.push((performance.now() - started) / 1000);
    }
    return { fullSeconds, hourSeconds: hours.sort((a, b) => a - b)[Math.floor(hours.length / 2)]! };
  } finally {
    await warehouse.close();
  }
}

/** Valid generated events in the lake's canonical form. */
function canonicalLines(count: number, seed: number, startMs: number, eventsPerSecond?: number): string[] {
  const lines: string[] = [];
  for (const line of generateEventLines({
    seed,
    count,
    users: 100_000,
    songs: 10_000,
    startMs,
    eventsPerSecond,
  })) {
    const result = parseListeningEventJson(line.text);
    if (result.ok) lines.push(JSON.stringify(result.event));
  }
  return lines;
}
