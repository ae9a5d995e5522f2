import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { loadLake } from '../../../lambdas/loader/load-lake.js';
import { copyStatementFor, SnowflakeLakeStager } from '../../../lambdas/loader/snowflake-lake-stager.js';
import { openSnowflakeWarehouse } from '../../../lambdas/shared/warehouse/snowflake-warehouse.js';
import {
  aPrivateKeyPem,
  type CapturedStatement,
  type FakeFailure,
  type FakeResult,
  FakeSnowflakeServer,
} from '../../support/fake-snowflake-server.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';

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

describe('the loader into Snowflake: the statements it sends, captured by a protocol-speaking server', () => {
  let server: FakeSnowflakeServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('GIVEN two new lake files WHEN loaded THEN one transaction COPYs exactly those files, MERGEs, and records both in the ledger in one request', async () => {
    const bucket = await smallLake();
    const answers = (statement: CapturedStatement): FakeResult | undefined => {
      if (statement.sql.includes('FROM bronze.load_candidates')) return { columns: ['FILE_KEY'], rows: [] };
      if (statement.sql.includes('AS staged_rows'))
        return { columns: ['SOURCE_FILE', 'STAGED_ROWS'], rows: keysIn(server!).map((key) => [key, 1]) };
      if (statement.sql.includes('AS new_rows'))
        return {
          columns: ['SOURCE_FILE', 'EVENT_DAY', 'NEW_ROWS'],
          rows: keysIn(server!).map((key) => [key, '2026-04-02', 1]),
        };
      return undefined;
    };
    server = new FakeSnowflakeServer(answers);
    const summary = await loadThroughSnowflake(server, bucket);
    expect(summary).toMatchObject({ filesLoaded: 2, rowsInserted: 2, daysTouched: ['2026-04-02'] });
    const sent = server.sqlSent();
    const transaction = sent.slice(sent.indexOf('BEGIN'));
    const committed = transaction.slice(0, transaction.indexOf('COMMIT') + 1);
    expect(committed.map((sql) => sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'BEGIN',
      'UPDATE bronze.load_lock SET',
      'SELECT c.file_key FROM',
      'SELECT COUNT(*) AS',
      'DELETE FROM bronze.load_staging',
      'COPY INTO bronze.load_staging',
      'SELECT source_file, COUNT(*)',
      'SELECT source_file, SUBSTR(event_timestamp,',
      'MERGE INTO bronze.listening_events',
      'INSERT INTO bronze.load_ledger',
      'INSERT INTO bronze.loads',
      'DELETE FROM bronze.load_staging',
      'COMMIT',
    ]);
    const copy = transaction[5]!;
    expect(copy).toContain(
      "FILES = ('date=2026-04-02/hour=08/spotify-events+0+00000000000000000001-00000000000000000001.ndjson.gz', 'date=2026-04-02/hour=09/spotify-events+0+00000000000000000002-00000000000000000002.ndjson.gz')",
    );
    expect(copy).toContain("FILE_FORMAT = (TYPE = 'JSON' COMPRESSION = 'GZIP')");
    const ledger = server.statements.filter((statement) =>
      statement.sql.includes('INSERT INTO bronze.load_ledger'),
    );
    // Array binding: on the wire, one array per placeholder, each value as text.
    expect(ledger).toHaveLength(1);
    const [fileKeys, hourPrefixes, rowsInFile, rowsInserted, loadedAt, loadIds] = ledger[0]!
      .binds as string[][];
    expect(loadIds).toEqual(['snowflake-test/1', 'snowflake-test/1']);
    expect(fileKeys).toEqual([
      'bronze/date=2026-04-02/hour=08/spotify-events+0+00000000000000000001-00000000000000000001.ndjson.gz',
      'bronze/date=2026-04-02/hour=09/spotify-events+0+00000000000000000002-00000000000000000002.ndjson.gz',
    ]);
    expect(hourPrefixes).toEqual(['bronze/date=2026-04-02/hour=08/', 'bronze/date=2026-04-02/hour=09/']);
    expect(rowsInFile).toEqual(['1', '1']);
    expect(rowsInserted).toEqual(['1', '1']);
    expect(loadedAt).toHaveLength(2);
    expect(loadedAt![0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(loadedAt![1]).toBe(loadedAt![0]);
  });

  it('GIVEN files the ledger already lists WHEN loaded THEN nothing is copied and no transaction is opened', async () => {
    const bucket = await smallLake();
    const listed = [
      'bronze/date=2026-04-02/hour=08/spotify-events+0+00000000000000000001-00000000000000000001.ndjson.gz',
      'bronze/date=2026-04-02/hour=09/spotify-events+0+00000000000000000002-00000000000000000002.ndjson.gz',
    ];
    server = new FakeSnowflakeServer((statement) =>
      statement.sql.includes('FROM bronze.load_candidates')
        ? { columns: ['FILE_KEY'], rows: listed.map((key) => [key]) }
        : undefined,
    );
    const summary = await loadThroughSnowflake(server, bucket);
    expect(summary.filesLoaded).toBe(0);
    expect(server.sqlSent().some((sql) => sql.startsWith('COPY') || sql === 'BEGIN')).toBe(false);
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
    const answers = (statement: CapturedStatement): FakeResult | FakeFailure | undefined => {
      if (statement.sql.startsWith('COPY') && statement.sql.includes(badName))
        // As Snowflake words it, the file named relative to the stage.
        return {
          error: `Error parsing JSON: invalid literal File '${badName}', line 2, character 1 Row 2 starts at line 2, column "LOAD_STAGING"["EVENT_ID":1] If you would like to continue loading when an error is encountered, use other values such as 'SKIP_FILE' or 'CONTINUE' for the ON_ERROR option.`,
        };
      if (statement.sql.includes('FROM bronze.load_candidates')) return { columns: ['FILE_KEY'], rows: [] };
      if (statement.sql.includes('AS staged_rows'))
        return {
          columns: ['SOURCE_FILE', 'STAGED_ROWS'],
          rows: [...new Set([...keysIn(server!), `bronze/${badName}`])].map((key) => [key, 1]),
        };
      if (statement.sql.includes('AS new_rows'))
        return {
          columns: ['SOURCE_FILE', 'EVENT_DAY', 'NEW_ROWS'],
          rows: [...new Set([...keysIn(server!), `bronze/${badName}`])].map((key) => [key, '2026-04-02', 1]),
        };
      return undefined;
    };
    server = new FakeSnowflakeServer(answers);
    const summary = await loadThroughSnowflake(server, bucket, { s3: localS3(), bucket });

    expect(summary).toMatchObject({
      filesLoaded: 3,
      filesReadLineByLine: 1,
      rowsInFiles: 4,
      rowsInserted: 3,
      linesRejected: 1,
    });
    const sent = server.sqlSent();
    const retried = sent.slice(sent.lastIndexOf('BEGIN'), sent.lastIndexOf('COMMIT') + 1);
    expect(sent.slice(0, sent.lastIndexOf('BEGIN')).at(-1)).toBe('ROLLBACK');
    expect(retried.map((sql) => sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'BEGIN',
      'UPDATE bronze.load_lock SET',
      'SELECT c.file_key FROM',
      'SELECT COUNT(*) AS',
      'DELETE FROM bronze.load_staging',
      'COPY INTO bronze.load_staging',
      'INSERT INTO bronze.load_staging',
      'SELECT source_file, COUNT(*)',
      'SELECT source_file, SUBSTR(event_timestamp,',
      'MERGE INTO bronze.listening_events',
      'INSERT INTO bronze.load_rejects',
      'INSERT INTO bronze.load_ledger',
      'INSERT INTO bronze.loads',
      'DELETE FROM bronze.load_staging',
      'COMMIT',
    ]);
    expect(retried[5]).not.toContain(badName);
    const staged = server.statements.find((statement) =>
      statement.sql.startsWith('INSERT INTO bronze.load_staging'),
    )!;
    const columns = staged.binds as string[][];
    expect(columns.map((column) => column.length)).toEqual(Array(14).fill(1));
    expect([columns[0]![0], columns[12]![0], columns[13]![0]]).toEqual([
      '00000000-0000-4000-8000-000000000005',
      `bronze/${badName}`,
      '1',
    ]);
    const rejects = server.statements.find((statement) =>
      statement.sql.startsWith('INSERT INTO bronze.load_rejects'),
    )!;
    expect((rejects.binds as string[][]).slice(0, 3)).toEqual([[`bronze/${badName}`], ['2'], ['not json']]);
  });

  it("GIVEN a COPY refused without the lake readable, or naming no file of the batch WHEN loaded THEN the load fails with Snowflake's message and nothing is committed", async () => {
    const bucket = await smallLake();
    for (const [error, readsLake] of [
      [
        "Error parsing JSON: invalid literal File 'date=2026-04-02/hour=08/spotify-events+0+00000000000000000001-00000000000000000001.ndjson.gz', line 1, character 1",
        undefined,
      ],
      ['Remote file was not found. There are several potential causes.', { s3: localS3(), bucket }],
    ] as const) {
      await server?.stop();
      server = new FakeSnowflakeServer((statement) => {
        if (statement.sql.startsWith('COPY')) return { error };
        if (statement.sql.includes('FROM bronze.load_candidates')) return { columns: ['FILE_KEY'], rows: [] };
        return undefined;
      });
      await expect(loadThroughSnowflake(server, bucket, readsLake)).rejects.toThrow(error.slice(0, 30));
      expect(server.sqlSent()).not.toContain('COMMIT');
      expect(server.sqlSent().at(-1)).toBe('ROLLBACK');
    }
  });

  it('GIVEN a key outside the lake layout WHEN a COPY is built for it THEN it is refused before any SQL is made', () => {
    expect(() =>
      copyStatementFor(["bronze/date=2026-04-02/hour=08/x'); DROP TABLE t; --.ndjson.gz"]),
    ).toThrow(/refusing to COPY/);
  });
});

/** Starts the recording server, logs in to it with a key pair, and runs the loader through it once. */
async function loadThroughSnowflake(
  server: FakeSnowflakeServer,
  bucket: string,
  readsLake: { readonly s3: S3Client; readonly bucket: string } | undefined = undefined,
) {
  const warehouse = await openSnowflakeWarehouse({
    account: 'myorg-myaccount',
    username: 'SPOTIFY_PIPELINE_LOADER',
    privateKey: aPrivateKeyPem(),
    warehouse: 'SPOTIFY_PIPELINE_WH',
    database: 'SPOTIFY',
    role: 'SPOTIFY_PIPELINE',
    accessUrl: await server.start(),
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

/** The lake keys the loader has put in a COPY so far, read back from the captured statement. */
function keysIn(server: FakeSnowflakeServer): string[] {
  const copy = server.statements.find((statement) => statement.sql.startsWith('COPY'));
  if (copy === undefined) return [];
  return [...copy.sql.matchAll(/'(date=[^']+)'/g)].map((match) => `bronze/${match[1]}`);
}
