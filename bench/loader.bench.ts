import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBronzeTables } from '../lambdas/loader/bronze-tables.js';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../lambdas/shared/event-contract/validate-listening-event.js';
import { DEFAULT_EVENTS_TOPIC } from '../lambdas/shared/kafka/pipeline-topic.js';
import { lakeObjectKey } from '../lambdas/shared/lake/lake-layout.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../lambdas/shared/warehouse/sql-files.js';
import { loadLakeIntoDuckDb } from '../local/loader/load-lake-into-duckdb.js';
import { openDuckDbWarehouse } from '../local/warehouse/duckdb-warehouse.js';
import type { BenchFigure } from './bench-figure.js';
import { benchS3, benchServices, newBucket } from './support/local-stack-for-bench.js';

const ROWS = 500_000;
const ROWS_PER_FILE = 50_000;
/** How many other events bronze already holds for the load into a grown warehouse. */
const ROWS_ALREADY_IN_GROWN_BRONZE = 5_000_000;
/** The contract's fields as the loader's SQL reads them (sql/loader/duckdb/insert_lake_files.sql). */
const LAKE_COLUMNS = `{event_id: 'VARCHAR', schema_version: 'INTEGER', session_id: 'VARCHAR', user_id: 'VARCHAR',
  song_id: 'VARCHAR', artist_name: 'VARCHAR', song_name: 'VARCHAR', event_type: 'VARCHAR', device_type: 'VARCHAR',
  country: 'VARCHAR', ms_played: 'BIGINT', "timestamp": 'VARCHAR'}`;

/**
 * The loader from lake objects in the local S3 server into DuckDB (download, JSON reader streaming
 * into bronze, copies removed, rows counted, ledger), beside the floor of any load built on DuckDB's
 * JSON reader: the same files from local disk streamed into a database file with nothing else done;
 * and the JSON reader alone, into memory, beside the loader.
 */
export async function run(): Promise<readonly BenchFigure[]> {
  const { s3Endpoint } = await benchServices();
  const s3 = benchS3(s3Endpoint);
  const bucket = await newBucket(s3, `bench-loader-${Date.now()}`);
  // Lines as the consumer writes them: canonical events, one hour folder per file.
  const lines: string[] = [];
  for (const line of generateEventLines({
    seed: 2,
    count: ROWS,
    users: 100_000,
    songs: 10_000,
    eventsPerSecond: 200,
  })) {
    const result = parseListeningEventJson(line.text);
    if (result.ok) lines.push(JSON.stringify({ ...result.event, timestamp: '2026-01-01T10:00:00.000Z' }));
  }
  const folder = mkdtempSync(join(tmpdir(), 'bench-loader-'));
  const localFiles: string[] = [];
  for (let start = 0, file = 0; start < lines.length; start += ROWS_PER_FILE, file++) {
    const key = lakeObjectKey('bronze/date=2026-01-01/hour=10/', {
      topic: DEFAULT_EVENTS_TOPIC,
      partition: file,
      firstOffset: 0,
      lastOffset: ROWS_PER_FILE - 1,
    });
    const body = gzipSync(`${lines.slice(start, start + ROWS_PER_FILE).join('\n')}\n`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    localFiles.push(join(folder, `lake-${file}.ndjson.gz`));
    writeFileSync(localFiles.at(-1)!, body);
  }

  try {
    let loaderSeconds = Number.POSITIVE_INFINITY;
    let grownLoaderSeconds = Number.POSITIVE_INFINITY;
    let bareInsertSeconds = Number.POSITIVE_INFINITY;
    /** Seconds to load the lake into a fresh warehouse whose bronze first gets `rowsAlready` other events. */
    const timeLoad = async (path: string, rowsAlready: number): Promise<number> => {
      const warehouse = await openDuckDbWarehouse(path);
      try {
        if (rowsAlready > 0) {
          await createBronzeTables(warehouse);
          await warehouse.execute(
            `INSERT INTO bronze.listening_events
             SELECT CAST(uuid() AS VARCHAR), 1, CAST(uuid() AS VARCHAR), printf('user_%06d', i % 100000),
                    printf('song_%06d', i % 10000), 'Artist', 'Song', 'play', 'mobile', 'GB', 1000,
                    '2025-12-31T10:00:00.000Z', 'bronze/date=2025-12-31/hour=10/earlier.ndjson.gz',
                    TIMESTAMP '2025-12-31 11:00:00'
             FROM range(${rowsAlready}) AS rows(i)`,
          );
          await warehouse.execute('CHECKPOINT');
        }
        const started = performance.now();
        const summary = await loadLakeIntoDuckDb({
          warehouse,
          s3,
          bucket,
          source: {
            kind: 'window',
            window: { fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-02T00:00:00Z') },
          },
          runId: 'bench-load',
          nowMs: Date.parse('2026-02-01T00:00:00Z'),
        });
        const seconds = (performance.now() - started) / 1000;
        if (summary.rowsInserted !== lines.length)
          throw new Error(`loaded ${summary.rowsInserted} of ${lines.length} rows`);
        return seconds;
      } finally {
        await warehouse.close();
      }
    };
    let readJsonSeconds = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      loaderSeconds = Math.min(loaderSeconds, await timeLoad(join(folder, `loader-${round}.duckdb`), 0));
      // An hourly load into a warehouse that has grown: bronze already holds other events, which
      // every new row's event_id is checked against.
      grownLoaderSeconds = Math.min(
        grownLoaderSeconds,
        await timeLoad(join(folder, `grown-${round}.duckdb`), ROWS_ALREADY_IN_GROWN_BRONZE),
      );

      // The floor of any loader that reads these files with DuckDB's JSON reader and keeps them in
      // a database file: the same local files streamed by one INSERT into a table of bronze's shape,
      // with nothing downloaded, checked, counted or deduplicated.
      const bareWarehouse = await openDuckDbWarehouse(join(folder, `bare-${round}.duckdb`));
      await createBronzeTables(bareWarehouse);
      await bareWarehouse.execute('CHECKPOINT');
      await bareWarehouse.executeWithStringList(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_files.sql'),
        localFiles,
      );
      let started = performance.now();
      await bareWarehouse.execute(
        `INSERT INTO bronze.listening_events
         SELECT event_id, schema_version, session_id, user_id, song_id, artist_name, song_name, event_type, device_type,
                country, ms_played, "timestamp", filename, TIMESTAMP '2026-02-01 00:00:00'
         FROM read_json(getvariable('load_files'), format = 'newline_delimited', compression = 'gzip', filename = true,
                        columns = ${LAKE_COLUMNS})`,
      );
      bareInsertSeconds = Math.min(bareInsertSeconds, (performance.now() - started) / 1000);
      await bareWarehouse.close();

      // The bound on any loader built on DuckDB's JSON reader: the same gzipped files, already on
      // local disk, parsed into an in-memory table with the loader's explicit columns. No S3, no
      // checks, no MERGE, no write to the database file.
      const readerWarehouse = await openDuckDbWarehouse(':memory:');
      await readerWarehouse.executeWithStringList(
        readSqlStatement(DEFAULT_SQL_DIR, 'loader/duckdb/set_load_files.sql'),
        localFiles,
      );
      started = performance.now();
      await readerWarehouse.execute(
        `CREATE TABLE parsed AS SELECT * FROM read_json(getvariable('load_files'), format = 'newline_delimited',
           compression = 'gzip', columns = ${LAKE_COLUMNS})`,
      );
      readJsonSeconds = Math.min(readJsonSeconds, (performance.now() - started) / 1000);
      await readerWarehouse.close();
    }
    const rate = (name: string, seconds: number) => ({ name, value: lines.length / seconds, unit: 'rows/s' });
    return [
      {
        ...rate('loader.rows_per_s_from_s3_into_duckdb', loaderSeconds),
        baseline: rate('bare DuckDB JSON reader into a db file', bareInsertSeconds),
        target: '>= 500,000 rows/s',
      },
      {
        ...rate(`loader.rows_per_s_into_bronze_of_${ROWS_ALREADY_IN_GROWN_BRONZE}_rows`, grownLoaderSeconds),
        baseline: rate('loader.rows_per_s_from_s3_into_duckdb (empty bronze)', loaderSeconds),
      },
      {
        ...rate('loader.duckdb_read_json_bound', readJsonSeconds),
        baseline: rate('loader.rows_per_s_from_s3_into_duckdb', loaderSeconds),
      },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
