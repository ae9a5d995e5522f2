import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadLakeIntoDuckDb } from '../lambdas/loader/load-lake-into-duckdb.js';
import { generateEventLines } from '../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../lambdas/shared/event-contract/validate-listening-event.js';
import { lakeObjectKey } from '../lambdas/shared/lake/lake-layout.js';
import { openDuckDbWarehouse } from '../lambdas/shared/warehouse/duckdb-warehouse.js';
import { BRONZE_DDL, sqlStatement } from '../lambdas/shared/warehouse/sql-files.js';
import type { BenchFigure } from './bench-figure.js';
import { benchS3, benchServices, newBucket } from './support/local-stack-for-bench.js';

const ROWS = 500_000;
const ROWS_PER_FILE = 50_000;
/** The contract's fields as the loader's staging SQL reads them (sql/duckdb/stage_lake_files.sql). */
const LAKE_COLUMNS = `{event_id: 'VARCHAR', schema_version: 'INTEGER', session_id: 'VARCHAR', user_id: 'VARCHAR',
  song_id: 'VARCHAR', artist_name: 'VARCHAR', song_name: 'VARCHAR', event_type: 'VARCHAR', device_type: 'VARCHAR',
  country: 'VARCHAR', ms_played: 'BIGINT', "timestamp": 'VARCHAR'}`;

/**
 * The loader from lake objects in the local S3 server into DuckDB (download, JSON reader into an
 * in-memory table, first sightings of new event_ids into bronze, ledger), beside the floor of any DuckDB load: the appender filling a table with
 * the same rows, already parsed, with nothing checked or merged; and the bound of DuckDB's JSON
 * reader itself on the same files from local disk, beside the loader.
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
      topic: 'spotify-events',
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
    let appenderSeconds = Number.POSITIVE_INFINITY;
    let readJsonSeconds = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const loaderWarehouse = await openDuckDbWarehouse(join(folder, `loader-${round}.duckdb`));
      let started = performance.now();
      const summary = await loadLakeIntoDuckDb({
        warehouse: loaderWarehouse,
        s3,
        bucket,
        window: { fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-02T00:00:00Z') },
        nowMs: Date.parse('2026-02-01T00:00:00Z'),
        includeOpenHour: false,
      });
      loaderSeconds = Math.min(loaderSeconds, (performance.now() - started) / 1000);
      await loaderWarehouse.close();
      if (summary.rowsInserted !== lines.length)
        throw new Error(`loaded ${summary.rowsInserted} of ${lines.length} rows`);

      const events = lines.map((line) => JSON.parse(line) as Record<string, string | number | null>);
      const bareWarehouse = await openDuckDbWarehouse(join(folder, `bare-${round}.duckdb`));
      for (const statement of BRONZE_DDL) await bareWarehouse.execute(sqlStatement(statement));
      started = performance.now();
      await bareWarehouse.append('bronze', 'load_staging', (appender) => {
        for (const [index, event] of events.entries()) {
          appender.appendVarchar(event.event_id as string);
          appender.appendInteger(1);
          appender.appendVarchar(event.session_id as string);
          for (const field of [
            'user_id',
            'song_id',
            'artist_name',
            'song_name',
            'event_type',
            'device_type',
            'country',
          ]) {
            appender.appendVarchar(event[field] as string);
          }
          appender.appendBigInt(BigInt(event.ms_played as number));
          appender.appendVarchar(event.timestamp as string);
          appender.appendVarchar('bench');
          appender.appendBigInt(BigInt(index));
          appender.endRow();
        }
      });
      appenderSeconds = Math.min(appenderSeconds, (performance.now() - started) / 1000);
      await bareWarehouse.close();

      // The bound on any loader built on DuckDB's JSON reader: the same gzipped files, already on
      // local disk, parsed into an in-memory table with the loader's explicit columns. No S3, no
      // checks, no MERGE, no write to the database file.
      const readerWarehouse = await openDuckDbWarehouse(':memory:');
      await readerWarehouse.executeWithStringList(sqlStatement('duckdb/set_load_files.sql'), localFiles);
      started = performance.now();
      await readerWarehouse.execute(
        `CREATE TABLE parsed AS SELECT * FROM read_json(getvariable('load_files'), format = 'newline_delimited',
           compression = 'gzip', columns = ${LAKE_COLUMNS})`,
      );
      readJsonSeconds = Math.min(readJsonSeconds, (performance.now() - started) / 1000);
      await readerWarehouse.close();
    }
    return [
      {
        name: 'loader.rows_per_s_from_s3_into_duckdb',
        value: lines.length / loaderSeconds,
        unit: 'rows/s',
        baseline: {
          name: 'bare DuckDB appender of parsed rows',
          value: lines.length / appenderSeconds,
          unit: 'rows/s',
        },
        target: '>= 500,000 rows/s',
      },
      {
        name: 'loader.duckdb_read_json_bound',
        value: lines.length / readJsonSeconds,
        unit: 'rows/s',
        baseline: {
          name: 'loader.rows_per_s_from_s3_into_duckdb',
          value: lines.length / loaderSeconds,
          unit: 'rows/s',
        },
      },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
