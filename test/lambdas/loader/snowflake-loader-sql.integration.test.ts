import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { type LoadSummary, loadLake } from '../../../lambdas/loader/load-lake.js';
import { SnowflakeLakeStager } from '../../../lambdas/loader/snowflake-lake-stager.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import { lakeObjectKey } from '../../../lambdas/shared/lake/lake-layout.js';
import { loadLakeIntoDuckDb } from '../../../local/loader/load-lake-into-duckdb.js';
import { openDuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';
import { emulatedStagingArea } from '../../support/copy-into-staging-emulator.js';
import { localS3, uniqueName } from '../../support/local-clients.js';

const EVERYTHING = { fromMs: Date.parse('2020-01-01T00:00:00Z'), toMs: Date.parse('2030-01-01T00:00:00Z') };
const HOUR = 'bronze/date=2026-02-01/hour=10/';

/**
 * A lake of hand-made files, in key order: generated events over four files with some events in
 * two files, then a file with a line that is not JSON, one with a line that has no event_id, and
 * one with a ms_played of the wrong type, each between valid lines.
 */
async function aLakeOfFiles(): Promise<{ bucket: string; files: Map<string, string[]> }> {
  const bucket = uniqueName('lake');
  await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
  const events = [...generateEventLines({ seed: 17, count: 400, users: 30, songs: 8 })].flatMap((line) => {
    const parsed = parseListeningEventJson(line.text);
    return parsed.ok ? [JSON.stringify({ ...parsed.event, timestamp: '2026-02-01T10:30:00.000Z' })] : [];
  });
  const key = (partition: number) =>
    lakeObjectKey(HOUR, { topic: 'spotify-events', partition, firstOffset: 0, lastOffset: 99 });
  const files = new Map<string, string[]>([
    [key(0), events.slice(0, 100)],
    [key(1), [...events.slice(100, 200), events[5]!, events[150]!]],
    [key(2), [events[250]!, ...events.slice(200, 300)]],
    [key(3), events.slice(300)],
    [key(4), [events[0]!, '{"event_id": "cut off mid-wr', events[301]!]],
    [key(5), [JSON.stringify({ ...JSON.parse(events[302]!), event_id: undefined }), events[303]!]],
    [key(6), [events[304]!, JSON.stringify({ ...JSON.parse(events[305]!), ms_played: 'a lot' })]],
  ]);
  for (const [fileKey, lines] of files)
    await localS3().send(
      new PutObjectCommand({ Bucket: bucket, Key: fileKey, Body: gzipSync(`${lines.join('\n')}\n`) }),
    );
  return { bucket, files };
}

/**
 * What the loader must leave, computed from the files without any of the loader's SQL: each valid
 * line's event once, at its first sighting by file then line; every other line rejected.
 */
function expectedLoad(files: ReadonlyMap<string, readonly string[]>) {
  const bronze = new Map<string, string>();
  const ledger: { file_key: string; rows_in_file: number; rows_inserted: number }[] = [];
  const rejects: { file_key: string; line_number: number }[] = [];
  for (const [fileKey, lines] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let inserted = 0;
    for (const [index, line] of lines.entries()) {
      const parsed = parseListeningEventJson(line);
      if (!parsed.ok) rejects.push({ file_key: fileKey, line_number: index + 1 });
      else if (!bronze.has(parsed.event.event_id)) {
        bronze.set(parsed.event.event_id, fileKey);
        inserted++;
      }
    }
    ledger.push({ file_key: fileKey, rows_in_file: lines.length, rows_inserted: inserted });
  }
  return {
    bronze: [...bronze].map(([event_id, source_file]) => ({ event_id, source_file })).sort(byEventId),
    ledger,
    rejects,
  };
}

function byEventId(a: { event_id: string }, b: { event_id: string }) {
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}

async function contentsOf(path: string) {
  const warehouse = await openDuckDbWarehouse(path);
  try {
    return {
      bronze: await warehouse.query<{ event_id: string; source_file: string }>(
        'SELECT event_id, source_file FROM bronze.listening_events ORDER BY event_id',
      ),
      bronzeRows: await warehouse.query(
        'SELECT * EXCLUDE (loaded_at, load_id) FROM bronze.listening_events ORDER BY event_id',
      ),
      ledger: await warehouse.query(
        'SELECT file_key, rows_in_file, rows_inserted FROM bronze.load_ledger ORDER BY file_key',
      ),
      rejects: await warehouse.query<{
        file_key: string;
        line_number: number;
        raw_line: string;
        reason: string;
      }>(
        'SELECT file_key, line_number, raw_line, reason FROM bronze.load_rejects ORDER BY file_key, line_number',
      ),
      loads: await warehouse.query<{ loads: number }>('SELECT COUNT(*) AS loads FROM bronze.loads'),
    };
  } finally {
    await warehouse.close();
  }
}

const aWarehousePath = () => join(mkdtempSync(join(tmpdir(), 'snowflake-sql-')), 'warehouse.duckdb');

/**
 * One backfill of the whole lake into the DuckDB file at `path`, by the Snowflake path (every
 * statement but COPY, which the emulator plays, runs on DuckDB) or by the DuckDB path.
 */
async function loadBy(
  path: 'snowflake-sql' | 'duckdb',
  warehousePath: string,
  bucket: string,
  runId: string,
  filesPerTransaction?: number,
): Promise<LoadSummary> {
  const warehouse = await openDuckDbWarehouse(warehousePath);
  const common = {
    s3: localS3(),
    bucket,
    source: { kind: 'window', window: EVERYTHING } as const,
    runId,
    nowMs: Date.parse('2026-02-02T00:00:00Z'),
    filesPerTransaction,
  };
  try {
    if (path === 'duckdb') return await loadLakeIntoDuckDb({ ...common, warehouse });
    const stager = new SnowflakeLakeStager(
      warehouse,
      { s3: localS3(), bucket },
      emulatedStagingArea(localS3(), bucket),
    );
    return await loadLake({ ...common, warehouse, stager });
  } finally {
    await warehouse.close();
  }
}

describe("the Snowflake path's loader SQL, executed on DuckDB with the project's compatibility layer", () => {
  it('GIVEN lake files with copies across files, a line that is not JSON, one with no event_id and one of a wrong type WHEN loaded by the Snowflake path (COPY played by the emulator) and by the DuckDB path THEN both leave the bronze, ledger and rejects computed from the files', async () => {
    // Prepare
    const { bucket, files } = await aLakeOfFiles();
    const expected = expectedLoad(files);
    const snowflakePath = aWarehousePath();
    const duckDbPath = aWarehousePath();

    // Act: every statement of the Snowflake path but the COPY (and its temporary table) runs on
    // DuckDB: the lock, the ledger checks, count_new_rows_by_file, merge_staged_events, the ledger,
    // rejects and loads records.
    const viaSnowflakeSql = await loadBy('snowflake-sql', snowflakePath, bucket, 'snowflake-sql', 3);
    const viaDuckDb = await loadBy('duckdb', duckDbPath, bucket, 'duckdb', 3);

    // Assess
    const snowflake = await contentsOf(snowflakePath);
    const duckDb = await contentsOf(duckDbPath);
    expect(snowflake.bronze).toEqual(expected.bronze);
    expect(snowflake.ledger).toEqual(expected.ledger);
    expect(snowflake.rejects.map(({ file_key, line_number }) => ({ file_key, line_number }))).toEqual(
      expected.rejects,
    );
    expect(snowflake.rejects.map((reject) => reject.reason)).toEqual([
      expect.stringMatching(/is not valid JSON/),
      expect.stringMatching(/^event_id is missing/),
      expect.stringMatching(/^ms_played "a lot" is a string/),
    ]);
    expect(snowflake.loads).toEqual([{ loads: 3 }]);
    expect(snowflake.bronzeRows).toEqual(duckDb.bronzeRows);
    expect(snowflake.ledger).toEqual(duckDb.ledger);
    expect(snowflake.rejects).toEqual(duckDb.rejects);
    const counts = (summary: LoadSummary) => ({
      filesLoaded: summary.filesLoaded,
      rowsInFiles: summary.rowsInFiles,
      rowsInserted: summary.rowsInserted,
      linesRejected: summary.linesRejected,
      daysTouched: summary.daysTouched,
    });
    expect(counts(viaSnowflakeSql)).toEqual(counts(viaDuckDb));
    expect(viaSnowflakeSql).toMatchObject({
      filesLoaded: files.size,
      rowsInserted: expected.bronze.length,
      linesRejected: 3,
      filesReadLineByLine: 3,
    });
  });

  it('GIVEN a load of the Snowflake path WHEN run again THEN the rerun stages nothing and bronze keeps one row per event', async () => {
    const { bucket, files } = await aLakeOfFiles();
    const path = aWarehousePath();
    const load = (runId: string) => loadBy('snowflake-sql', path, bucket, runId);

    const first = await load('first');
    const again = await load('again');

    expect(first.filesLoaded).toBe(files.size);
    expect(again).toMatchObject({ filesFound: 0, filesLoaded: 0, rowsInserted: 0, loadIds: [] });
    expect((await contentsOf(path)).bronze).toEqual(expectedLoad(files).bronze);
  });
});
