import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { loadLake } from '../../../lambdas/loader/load-lake.js';
import { copyStatementFor, SnowflakeLakeStager } from '../../../lambdas/loader/snowflake-lake-stager.js';
import { openSnowflakeWarehouse } from '../../../lambdas/shared/warehouse/snowflake-warehouse.js';
import { aPrivateKeyPem } from '../../support/fake-snowflake-server.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { SnowflakeOverDuckDb } from '../../support/snowflake-over-duckdb.js';

const NOW = Date.parse('2026-05-01T00:00:00Z');
const WINDOW = { fromMs: Date.parse('2026-04-01T00:00:00Z'), toMs: NOW };

/** A lake with events in two hours of one day. */
async function smallLake(): Promise<string> {
  const bucket = uniqueName('lake');
  await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
  const event = (n: number, timestamp: string) =>
    JSON.stringify(aListeningEventRecord({ event_id: `00000000-0000-4000-8000-00000000000${n}`, timestamp }));
  await consumeBatch(
    anMskEvent([
      anMskRecord({ offset: 1, value: event(1, '2026-04-02T08:10:00Z') }),
      anMskRecord({ offset: 2, value: event(2, '2026-04-02T09:20:00Z') }),
    ]),
    { s3: localS3(), bucket },
    Date.now(),
  );
  return bucket;
}

describe('the loader into Snowflake, through snowflake-sdk, its statements executed on DuckDB', () => {
  let snowflake: SnowflakeOverDuckDb | undefined;
  afterEach(async () => {
    await snowflake?.stop();
    snowflake = undefined;
  });

  /** A Snowflake endpoint over a fresh DuckDB database, COPY reading from this lake. */
  async function endpointOver(bucket: string): Promise<SnowflakeOverDuckDb> {
    snowflake = await SnowflakeOverDuckDb.open(':memory:', { s3: localS3(), bucket });
    return snowflake;
  }

  async function bronzeAndLedger(endpoint: SnowflakeOverDuckDb) {
    const reader = await endpoint.reader();
    try {
      return {
        bronze: await reader.query<{ event_id: string; source_file: string; load_id: string }>(
          'SELECT event_id, source_file, load_id FROM bronze.listening_events ORDER BY event_id',
        ),
        ledger: await reader.query(
          'SELECT file_key, rows_in_file, rows_inserted, load_id FROM bronze.load_ledger ORDER BY file_key',
        ),
        rejects: await reader.query(
          'SELECT file_key, line_number, raw_line FROM bronze.load_rejects ORDER BY file_key',
        ),
      };
    } finally {
      await reader.close();
    }
  }

  const file = (hour: string, first: number) =>
    `date=2026-04-02/hour=${hour}/spotify-events+0+${String(first).padStart(20, '0')}-${String(first).padStart(20, '0')}.ndjson.gz`;

  it('GIVEN two new lake files WHEN loaded THEN one transaction takes the lock, COPYs exactly those files, MERGEs, and records both in the ledger in one request, leaving both events in bronze', async () => {
    const bucket = await smallLake();
    const endpoint = await endpointOver(bucket);

    const summary = await loadThroughSnowflake(endpoint, bucket, { s3: localS3(), bucket });

    expect(summary).toMatchObject({
      filesLoaded: 2,
      rowsInserted: 2,
      daysTouched: ['2026-04-02'],
      loadIds: ['snowflake-test/1'],
    });
    const sent = endpoint.server.sqlSent();
    const transaction = sent.slice(sent.indexOf('BEGIN'), sent.indexOf('COMMIT') + 1);
    expect(transaction.map((sql) => sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'BEGIN',
      'UPDATE bronze.load_lock SET',
      'SELECT c.file_key FROM',
      'SELECT COUNT(*) AS',
      'DELETE FROM bronze.load_staging',
      'COPY INTO bronze.load_staging',
      'SELECT source_file, MIN(line_number)',
      'SELECT source_file, COUNT(*)',
      'SELECT source_file, SUBSTR(event_timestamp,',
      'MERGE INTO bronze.listening_events',
      'INSERT INTO bronze.load_ledger',
      'INSERT INTO bronze.loads',
      'DELETE FROM bronze.load_staging',
      'COMMIT',
    ]);
    expect(transaction[5]).toContain(`FILES = ('${file('08', 1)}', '${file('09', 2)}')`);
    expect(transaction[5]).toContain("FILE_FORMAT = (TYPE = 'JSON' COMPRESSION = 'GZIP')");
    // Array binding: on the wire, one array per placeholder, each value as text.
    const ledger = endpoint.server.statements.filter((statement) =>
      statement.sql.startsWith('INSERT INTO bronze.load_ledger'),
    );
    expect(ledger).toHaveLength(1);
    expect((ledger[0]!.binds as string[][]).map((column) => column.length)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(await bronzeAndLedger(endpoint)).toEqual({
      bronze: [1, 2].map((n) => ({
        event_id: `00000000-0000-4000-8000-00000000000${n}`,
        source_file: `bronze/${file(n === 1 ? '08' : '09', n)}`,
        load_id: 'snowflake-test/1',
      })),
      ledger: [1, 2].map((n) => ({
        file_key: `bronze/${file(n === 1 ? '08' : '09', n)}`,
        rows_in_file: 1,
        rows_inserted: 1,
        load_id: 'snowflake-test/1',
      })),
      rejects: [],
    });
  });

  it('GIVEN files the ledger already lists WHEN loaded again THEN nothing is copied and no transaction is opened', async () => {
    const bucket = await smallLake();
    const endpoint = await endpointOver(bucket);
    await loadThroughSnowflake(endpoint, bucket, { s3: localS3(), bucket });
    const before = endpoint.server.statements.length;

    const summary = await loadThroughSnowflake(endpoint, bucket, { s3: localS3(), bucket });

    expect(summary.filesLoaded).toBe(0);
    const again = endpoint.server.sqlSent().slice(before);
    expect(again.some((sql) => sql.startsWith('COPY') || sql === 'BEGIN')).toBe(false);
    expect((await bronzeAndLedger(endpoint)).bronze).toHaveLength(2);
  });

  it('GIVEN a batch where COPY refuses one file, naming it WHEN loaded with the lake readable THEN that file is read line by line, its good line staged and its bad line rejected, and the rest is COPYd, in one committed transaction', async () => {
    const bucket = await smallLake();
    const badName = `date=2026-04-02/hour=09/spotify-events+1+${'0'.repeat(19)}5-${'0'.repeat(19)}6.ndjson.gz`;
    const goodLine = JSON.stringify(
      aListeningEventRecord({
        event_id: '00000000-0000-4000-8000-000000000005',
        timestamp: '2026-04-02T09:30:00Z',
      }),
    );
    await localS3().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `bronze/${badName}`,
        Body: gzipSync(`${goodLine}\nnot json\n`),
      }),
    );
    const endpoint = await endpointOver(bucket);

    const summary = await loadThroughSnowflake(endpoint, bucket, { s3: localS3(), bucket });

    expect(summary).toMatchObject({
      filesLoaded: 3,
      filesReadLineByLine: 1,
      rowsInFiles: 4,
      rowsInserted: 3,
      linesRejected: 1,
    });
    const sent = endpoint.server.sqlSent();
    expect(sent.slice(0, sent.lastIndexOf('BEGIN')).at(-1)).toBe('ROLLBACK');
    const retried = sent.slice(sent.lastIndexOf('BEGIN'), sent.lastIndexOf('COMMIT') + 1);
    const copy = retried.find((sql) => sql.startsWith('COPY'))!;
    expect(copy).not.toContain(badName);
    expect(retried.some((sql) => sql.startsWith('INSERT INTO bronze.load_staging'))).toBe(true);
    const { bronze, rejects } = await bronzeAndLedger(endpoint);
    expect(bronze.map((row) => row.event_id.slice(-1))).toEqual(['1', '2', '5']);
    expect(rejects).toEqual([{ file_key: `bronze/${badName}`, line_number: 2, raw_line: 'not json' }]);
  });

  it("GIVEN a COPY refused without the lake readable, or with an error naming no file of the batch WHEN loaded THEN the load fails with Snowflake's message and nothing is committed", async () => {
    const bucket = await smallLake();
    const badName = `date=2026-04-02/hour=10/spotify-events+1+${'0'.repeat(19)}5-${'0'.repeat(19)}6.ndjson.gz`;
    await localS3().send(
      new PutObjectCommand({ Bucket: bucket, Key: `bronze/${badName}`, Body: gzipSync('not json\n') }),
    );
    for (const [lakeForCopy, readsLake, message] of [
      [{ s3: localS3(), bucket }, undefined, `File '${badName}', line 1`],
      [undefined, { s3: localS3(), bucket }, 'opened without a lake to COPY from'],
    ] as const) {
      await snowflake?.stop();
      snowflake = await SnowflakeOverDuckDb.open(':memory:', lakeForCopy);

      await expect(loadThroughSnowflake(snowflake, bucket, readsLake)).rejects.toThrow(message);

      expect(snowflake.server.sqlSent()).not.toContain('COMMIT');
      expect(snowflake.server.sqlSent().at(-1)).toBe('ROLLBACK');
      expect((await bronzeAndLedger(snowflake)).ledger).toEqual([]);
    }
  });

  it('GIVEN a key outside the lake layout WHEN a COPY is built for it THEN it is refused before any SQL is made', () => {
    expect(() =>
      copyStatementFor(["bronze/date=2026-04-02/hour=08/x'); DROP TABLE t; --.ndjson.gz"]),
    ).toThrow(/refusing to COPY/);
  });
});

/** Logs in to the endpoint with a key pair, as the deployed loader does, and runs the loader through it once. */
async function loadThroughSnowflake(
  endpoint: SnowflakeOverDuckDb,
  bucket: string,
  readsLake: { readonly s3: S3Client; readonly bucket: string } | undefined,
) {
  const warehouse = await openSnowflakeWarehouse({
    account: 'myorg-myaccount',
    username: 'SPOTIFY_PIPELINE_LOADER',
    privateKey: aPrivateKeyPem(),
    warehouse: 'SPOTIFY_PIPELINE_WH',
    database: 'SPOTIFY',
    role: 'SPOTIFY_PIPELINE',
    accessUrl: await endpoint.start(),
  });
  try {
    return await loadLake({
      warehouse,
      stager: new SnowflakeLakeStager(warehouse, readsLake),
      s3: localS3(),
      bucket,
      source: { kind: 'window', window: WINDOW },
      runId: 'snowflake-test',
      nowMs: NOW,
    });
  } finally {
    await warehouse.close();
  }
}
