import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { loadLake } from '../../../lambdas/loader/load-lake.js';
import { copyStatementFor, SnowflakeLakeStager } from '../../../lambdas/loader/snowflake-lake-stager.js';
import { openSnowflakeWarehouse } from '../../../lambdas/shared/warehouse/snowflake-warehouse.js';
import {
  aPrivateKeyPem,
  type CapturedStatement,
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
      if (statement.sql.includes('FROM bronze.load_ledger')) return { columns: ['FILE_KEY'], rows: [] };
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
    expect(transaction.map((sql) => sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'BEGIN',
      'DELETE FROM bronze.load_staging',
      'COPY INTO bronze.load_staging',
      'SELECT source_file, COUNT(*)',
      'SELECT source_file, SUBSTR(event_timestamp,',
      'MERGE INTO bronze.listening_events',
      'INSERT INTO bronze.load_ledger',
      'DELETE FROM bronze.load_staging',
      'COMMIT',
    ]);
    const copy = transaction[2]!;
    expect(copy).toContain(
      "FILES = ('date=2026-04-02/hour=08/spotify-events+0+00000000000000000001-00000000000000000001.ndjson.gz', 'date=2026-04-02/hour=09/spotify-events+0+00000000000000000002-00000000000000000002.ndjson.gz')",
    );
    expect(copy).toContain("FILE_FORMAT = (TYPE = 'JSON' COMPRESSION = 'GZIP')");
    const ledger = server.statements.filter((statement) =>
      statement.sql.includes('INSERT INTO bronze.load_ledger'),
    );
    // Array binding: on the wire, one array per placeholder, each value as text.
    expect(ledger).toHaveLength(1);
    const [fileKeys, hourPrefixes, rowsInFile, rowsInserted, loadedAt] = ledger[0]!.binds as string[][];
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
      statement.sql.includes('FROM bronze.load_ledger')
        ? { columns: ['FILE_KEY'], rows: listed.map((key) => [key]) }
        : undefined,
    );
    const summary = await loadThroughSnowflake(server, bucket);
    expect(summary.filesLoaded).toBe(0);
    expect(server.sqlSent().some((sql) => sql.startsWith('COPY') || sql === 'BEGIN')).toBe(false);
  });

  it('GIVEN a key outside the lake layout WHEN a COPY is built for it THEN it is refused before any SQL is made', () => {
    expect(() =>
      copyStatementFor(["bronze/date=2026-04-02/hour=08/x'); DROP TABLE t; --.ndjson.gz"]),
    ).toThrow(/refusing to COPY/);
  });
});

/** Starts the recording server, logs in to it with a key pair, and runs the loader through it once. */
async function loadThroughSnowflake(server: FakeSnowflakeServer, bucket: string) {
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
      stager: new SnowflakeLakeStager(warehouse),
      s3: localS3(),
      bucket,
      window: WINDOW,
      nowMs: NOW,
      includeOpenHour: false,
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
