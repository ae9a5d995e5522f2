import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../lambdas/shared/event-contract/validate-listening-event.js';
import { runTransformation } from '../lambdas/shared/transform/run-transformation.js';
import { readDuckDbCompatibilitySql } from '../lambdas/shared/transform/sql-files.js';
import { DEFAULT_SQL_DIR } from '../lambdas/shared/transform/transformation-manifest.js';
import { openDuckDbWarehouse } from '../lambdas/shared/warehouse/duckdb-warehouse.js';
import { BRONZE_DDL, sqlStatement } from '../lambdas/shared/warehouse/sql-files.js';
import type { BenchFigure } from './bench-figure.js';

const GENERATED = 1_000_000;
/** 10 copies make the 10 million events of the target; BENCH_TRANSFORM_COPIES=1 measures a million. */
const COPIES = Number(process.env.BENCH_TRANSFORM_COPIES ?? 10);
const HOURLY_EVENTS = 5_000;
/** Read every field as the lake holds it (text), not as DuckDB would guess it (UUID, TIMESTAMP). */
const AS_TEXT = `columns = {event_id: 'VARCHAR', schema_version: 'INTEGER', session_id: 'VARCHAR', user_id: 'VARCHAR',
  song_id: 'VARCHAR', artist_name: 'VARCHAR', song_name: 'VARCHAR', event_type: 'VARCHAR', device_type: 'VARCHAR',
  country: 'VARCHAR', ms_played: 'BIGINT', "timestamp": 'VARCHAR'}`;

/**
 * The transformation plan on DuckDB over 10 million bronze events (a million generated events,
 * bronze-loaded ten times over with fresh ids, each copy a month later), as a full build, and then
 * an hourly incremental run after one more hour of events is loaded, beside it.
 */
export async function run(): Promise<readonly BenchFigure[]> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-transform-'));
  try {
    const eventsFile = join(folder, 'events.ndjson');
    writeFileSync(eventsFile, canonicalLines(GENERATED, 3, Date.parse('2026-01-01T00:00:00Z')).join('\n'));
    const hourFile = join(folder, 'hour.ndjson');
    writeFileSync(
      hourFile,
      canonicalLines(HOURLY_EVENTS, 4, Date.parse('2027-01-01T00:00:00Z'), 2).join('\n'),
    );

    const warehouse = await openDuckDbWarehouse(
      join(folder, 'warehouse.duckdb'),
      readDuckDbCompatibilitySql(DEFAULT_SQL_DIR),
    );
    try {
      for (const statement of BRONZE_DDL) await warehouse.execute(sqlStatement(statement));
      await warehouse.executeWithStringList(sqlStatement('duckdb/set_load_files.sql'), [eventsFile]);
      await warehouse.execute(
        `INSERT INTO bronze.listening_events
         SELECT printf('%08x', copy) || substr(event_id, 9), schema_version, session_id, user_id, song_id, artist_name,
                song_name, event_type, device_type, country, ms_played,
                strftime(CAST("timestamp" AS TIMESTAMP) + to_days(CAST(31 * copy AS INTEGER)), '%Y-%m-%dT%H:%M:%S.%gZ'),
                'bench/events.ndjson', TIMESTAMP '2027-01-01 00:00:00', 'bench-history/1'
         FROM read_json(getvariable('load_files'), format = 'newline_delimited', ${AS_TEXT}), range(${COPIES}) AS copies(copy)`,
      );
      await warehouse.execute(
        `INSERT INTO bronze.loads VALUES ('bench-history/1', 'bench-history', TIMESTAMP '2027-01-01 00:00:00', 1, ${GENERATED * COPIES})`,
      );
      const [{ rows } = { rows: 0 }] = await warehouse.query<{ rows: number }>(
        'SELECT COUNT(*) AS rows FROM bronze.listening_events',
      );
      if (rows !== GENERATED * COPIES)
        throw new Error(`bronze holds ${rows} rows, not ${GENERATED * COPIES}`);

      let started = performance.now();
      await runTransformation(warehouse, {
        batchId: 'bench-full',
        fullRefresh: true,
        onProgress: (event) => {
          if (process.env.BENCH_VERBOSE)
            process.stderr.write(
              `${((performance.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(event)}\n`,
            );
        },
      });
      const fullSeconds = (performance.now() - started) / 1000;

      await warehouse.executeWithStringList(sqlStatement('duckdb/set_load_files.sql'), [hourFile]);
      await warehouse.execute(
        `INSERT INTO bronze.listening_events
         SELECT event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type, device_type,
                country, ms_played, "timestamp", 'bench/hour.ndjson', TIMESTAMP '2027-01-01 01:05:00', 'bench-hour/1'
         FROM read_json(getvariable('load_files'), format = 'newline_delimited', ${AS_TEXT})`,
      );
      await warehouse.execute(
        `INSERT INTO bronze.loads VALUES ('bench-hour/1', 'bench-hour', TIMESTAMP '2027-01-01 01:05:00', 1, 0)`,
      );
      started = performance.now();
      await runTransformation(warehouse, { batchId: 'bench-hour' });
      const incrementalSeconds = (performance.now() - started) / 1000;
      return [
        {
          name: `transform.full_${GENERATED * COPIES}_events_duckdb`,
          value: fullSeconds,
          unit: 's',
          baseline: { name: 'incremental run for one more hour', value: incrementalSeconds, unit: 's' },
          target: '<= 30 s',
        },
        {
          name: 'transform.incremental_hour_duckdb',
          value: incrementalSeconds,
          unit: 's',
          baseline: { name: `full build of ${GENERATED * COPIES} events`, value: fullSeconds, unit: 's' },
        },
      ];
    } finally {
      await warehouse.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
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
