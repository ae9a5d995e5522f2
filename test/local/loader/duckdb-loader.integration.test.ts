import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import type { LakeBacklog, LoadProgress } from '../../../lambdas/loader/load-lake.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import { arrivalManifestKey } from '../../../lambdas/shared/lake/lake-layout.js';
import { loadLakeIntoDuckDb } from '../../../local/loader/load-lake-into-duckdb.js';
import { type DuckDbWarehouse, openDuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';
import { aListeningEventRecord, withoutFields } from '../../support/listening-event-factory.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { CLI_PATH, lakeCommandLine } from '../../support/run-cli.js';

const EVERYTHING = { fromMs: Date.parse('2020-01-01T00:00:00Z'), toMs: Date.parse('2030-01-01T00:00:00Z') };
const NOW = Date.parse('2027-01-01T00:00:00Z');

/** A lake filled the way production fills it: generated events through the consumer's core. */
async function lakeWithEvents(seed: number, count: number, batchSize = 500) {
  const bucket = await emptyLake();
  const lines = [...generateEventLines({ seed, count, users: 100, songs: 40, faultRate: 0.05 })];
  for (let start = 0; start < lines.length; start += batchSize) {
    const records = lines.slice(start, start + batchSize).map((line, index) =>
      anMskRecord({
        offset: start + index,
        value: line.text,
        timestamp: Date.parse('2026-06-01T00:00:00Z'),
      }),
    );
    await consumeBatch(anMskEvent(records), { s3: localS3(), bucket }, Date.now());
  }
  const validIds = new Set(
    lines.flatMap((line) => {
      const result = parseListeningEventJson(line.text);
      return result.ok ? [result.event.event_id] : [];
    }),
  );
  return { bucket, validIds };
}

let runs = 0;

/**
 * A backfill over every hour of the lake's bucket, as of NOW, as its own run, unless `overrides`
 * say otherwise (`source: { kind: 'arrivals' }` loads as the deployed run does).
 */
function loadEverything(
  warehouse: DuckDbWarehouse,
  bucket: string,
  overrides: Partial<Parameters<typeof loadLakeIntoDuckDb>[0]> = {},
) {
  return loadLakeIntoDuckDb({
    warehouse,
    s3: localS3(),
    bucket,
    source: { kind: 'window', window: EVERYTHING },
    runId: `test-run-${++runs}`,
    nowMs: NOW,
    ...overrides,
  });
}

/** A new, empty bucket in the S3 server. */
async function emptyLake(): Promise<string> {
  const bucket = uniqueName('lake');
  await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** One valid lake line whose event_id ends in `id`, with `fields` overridden. */
function eventLine(id: number, fields: Record<string, unknown>): string {
  return JSON.stringify(
    aListeningEventRecord({ event_id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, ...fields }),
  );
}

function tempWarehousePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'warehouse-')), 'warehouse.duckdb');
}

async function bronzeCounts(path: string) {
  const warehouse = await openDuckDbWarehouse(path);
  try {
    const [rows] = await warehouse.query<{ rows: number; ids: number }>(
      'SELECT COUNT(*) AS rows, COUNT(DISTINCT event_id) AS ids FROM bronze.listening_events',
    );
    const [ledger] = await warehouse.query<{ files: number }>(
      'SELECT COUNT(*) AS files FROM bronze.load_ledger',
    );
    return { rows: rows!.rows, ids: rows!.ids, files: ledger!.files };
  } finally {
    await warehouse.close();
  }
}

describe('the loader into DuckDB, from real lake objects in the S3 server', () => {
  it('GIVEN a lake WHEN loaded twice THEN every valid event is one row, the second run adds nothing, and each run first reports the files due and the age of the oldest', async () => {
    const writtenFrom = Date.now();
    const { bucket, validIds } = await lakeWithEvents(3, 4_000);
    const writtenTo = Date.now();
    const path = tempWarehousePath();
    const backlogs: LakeBacklog[] = [];
    const load = async () => {
      const warehouse = await openDuckDbWarehouse(path);
      try {
        return await loadEverything(warehouse, bucket, {
          reportBacklog: (backlog) => backlogs.push(backlog),
        });
      } finally {
        await warehouse.close();
      }
    };

    const first = await load();
    const second = await load();

    expect(first.rowsInserted).toBe(validIds.size);
    expect(first.filesLoaded).toBeGreaterThan(10);
    expect(second).toMatchObject({ filesLoaded: 0, rowsInserted: 0 });
    expect(backlogs).toHaveLength(2);
    expect(backlogs[0]!.files).toBe(first.filesLoaded);
    // The S3 server stamps LastModified in whole seconds.
    expect(backlogs[0]!.oldestFileAgeMs).toBeGreaterThanOrEqual(NOW - writtenTo - 1_000);
    expect(backlogs[0]!.oldestFileAgeMs).toBeLessThanOrEqual(NOW - writtenFrom + 1_000);
    expect(backlogs[1]).toEqual({ files: 0, oldestFileAgeMs: 0 });
    expect(await bronzeCounts(path)).toEqual({
      rows: validIds.size,
      ids: validIds.size,
      files: first.filesLoaded,
    });
  });

  it('GIVEN a load of several transactions whose second fails WHEN rerun THEN the first stays committed, the rerun loads only the rest, and each commit is reported with the totals so far', async () => {
    const bucket = await emptyLake();
    const keys: string[] = [];
    for (let file = 0; file < 5; file++) {
      const key = `bronze/date=2026-05-01/hour=10/spotify-events+${file}+${'0'.repeat(20)}-${'0'.repeat(19)}2.ndjson.gz`;
      const lines = [1, 2, 3].map((line) =>
        JSON.stringify(
          aListeningEventRecord({
            event_id: `00000000-0000-4000-8000-${String(file * 10 + line).padStart(12, '0')}`,
            timestamp: '2026-05-01T10:30:00Z',
          }),
        ),
      );
      await localS3().send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${lines.join('\n')}\n`) }),
      );
      keys.push(key);
    }
    const path = tempWarehousePath();
    const progress: LoadProgress[] = [];
    let commitsAttempted = 0;

    const failing = await openDuckDbWarehouse(path);
    try {
      await expect(
        loadEverything(failing, bucket, {
          filesPerTransaction: 2,
          reportCommitted: (committed) => progress.push(committed),
          beforeCommit: () => {
            if (++commitsAttempted === 2) throw new Error('the warehouse went away');
          },
        }),
      ).rejects.toThrow('the warehouse went away');
    } finally {
      await failing.close();
    }
    expect(progress).toEqual([{ filesLoaded: 2, filesDue: 5, rowsInserted: 6 }]);
    expect(await bronzeCounts(path)).toEqual({ rows: 6, ids: 6, files: 2 });

    progress.length = 0;
    const warehouse = await openDuckDbWarehouse(path);
    try {
      const rerun = await loadEverything(warehouse, bucket, {
        filesPerTransaction: 2,
        reportCommitted: (committed) => progress.push(committed),
      });
      expect(rerun).toMatchObject({ filesLoaded: 3, rowsInserted: 9 });
    } finally {
      await warehouse.close();
    }
    expect(progress).toEqual([
      { filesLoaded: 2, filesDue: 3, rowsInserted: 6 },
      { filesLoaded: 3, filesDue: 3, rowsInserted: 9 },
    ]);
    expect(await bronzeCounts(path)).toEqual({ rows: 15, ids: 15, files: 5 });
  });

  it('GIVEN a transaction size that would loop forever or exceed what a Snowflake COPY names WHEN a load starts THEN it is refused before anything is read', async () => {
    const warehouse = await openDuckDbWarehouse(':memory:');
    try {
      for (const filesPerTransaction of [0, 1.5, 1_001]) {
        await expect(loadEverything(warehouse, 'no-such-bucket', { filesPerTransaction })).rejects.toThrow(
          `filesPerTransaction must be a whole number from 1 to 1,000, not ${filesPerTransaction}`,
        );
      }
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN a load killed inside its transaction WHEN rerun THEN the counts are exact: nothing half-loaded, nothing twice', async () => {
    const { bucket, validIds } = await lakeWithEvents(5, 3_000);
    const path = tempWarehousePath();
    const args = lakeCommandLine('load', { bucket, s3Endpoint: inject('s3Endpoint') }, path, [
      '--from',
      '2020-01-01T00:00:00Z',
    ]);

    const crashed = await runToExit(args, { SPOTIFY_PIPELINE_TEST_CRASH_BEFORE_COMMIT: '1' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(await bronzeCounts(path)).toEqual({ rows: 0, ids: 0, files: 0 });

    const rerun = await runToExit(args, {});
    expect(rerun.code).toBe(0);
    const counts = await bronzeCounts(path);
    expect(counts).toMatchObject({ rows: validIds.size, ids: validIds.size });
  });

  it('GIVEN a late file for an old hour and an event_id in several files WHEN the next run loads THEN the file is picked up and the event is one row', async () => {
    const bucket = await emptyLake();
    const event = (id: string, timestamp: string) =>
      JSON.stringify(aListeningEventRecord({ event_id: `00000000-0000-4000-8000-${id}`, timestamp }));
    await consumeBatch(
      anMskEvent([anMskRecord({ offset: 0, value: event('000000000001', '2026-03-01T10:15:00Z') })]),
      { s3: localS3(), bucket },
      Date.now(),
    );
    const path = tempWarehousePath();
    const warehouse = await openDuckDbWarehouse(path);
    try {
      const load = () => loadEverything(warehouse, bucket);
      expect((await load()).rowsInserted).toBe(1);

      // Hours later, a late event for 09:00 arrives, in a batch that repeats the first event.
      await consumeBatch(
        anMskEvent([
          anMskRecord({ offset: 7, value: event('000000000002', '2026-03-01T09:40:00Z') }),
          anMskRecord({ offset: 8, value: event('000000000001', '2026-03-01T10:15:00Z') }),
        ]),
        { s3: localS3(), bucket },
        Date.now(),
      );
      const next = await load();
      expect(next).toMatchObject({ filesLoaded: 2, rowsInserted: 1, daysTouched: ['2026-03-01'] });
      const rows = await warehouse.query<{ event_id: string }>(
        'SELECT event_id FROM bronze.listening_events ORDER BY event_id',
      );
      expect(rows.map((row) => row.event_id.slice(-2))).toEqual(['01', '02']);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN one load whose two files repeat an event_id WHEN loaded THEN it is one row, from the first file, counted once in the ledger', async () => {
    const bucket = await emptyLake();
    const event = (id: string) =>
      JSON.stringify(
        aListeningEventRecord({
          event_id: `00000000-0000-4000-8000-${id}`,
          timestamp: '2026-03-01T10:15:00Z',
        }),
      );
    await consumeBatch(
      anMskEvent([
        anMskRecord({ offset: 0, value: event('000000000001') }),
        anMskRecord({ offset: 1, value: event('000000000002') }),
      ]),
      { s3: localS3(), bucket },
      Date.now(),
    );
    await consumeBatch(
      anMskEvent([
        anMskRecord({ offset: 2, value: event('000000000002') }),
        anMskRecord({ offset: 3, value: event('000000000003') }),
      ]),
      { s3: localS3(), bucket },
      Date.now(),
    );
    const warehouse = await openDuckDbWarehouse(tempWarehousePath());
    try {
      const summary = await loadEverything(warehouse, bucket);
      const ledger = await warehouse.query<{ file_key: string; rows_in_file: number; rows_inserted: number }>(
        'SELECT file_key, rows_in_file, rows_inserted FROM bronze.load_ledger ORDER BY file_key',
      );
      const rows = await warehouse.query<{ event_id: string; source_file: string }>(
        'SELECT event_id, source_file FROM bronze.listening_events ORDER BY event_id',
      );

      expect(summary).toMatchObject({ filesLoaded: 2, rowsInFiles: 4, rowsInserted: 3 });
      expect(ledger.map((row) => [Number(row.rows_in_file), Number(row.rows_inserted)])).toEqual([
        [2, 2],
        [2, 1],
      ]);
      expect(rows.map((row) => [row.event_id.slice(-2), row.source_file])).toEqual([
        ['01', ledger[0]?.file_key],
        ['02', ledger[0]?.file_key],
        ['03', ledger[1]?.file_key],
      ]);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN a file that repeats an event_id with different fields, thousands of lines apart WHEN loaded THEN bronze keeps its first line', async () => {
    const bucket = await emptyLake();
    const line = (id: number, songName: string) =>
      eventLine(id, { song_name: songName, timestamp: '2026-04-01T10:05:00Z' });
    const lines = Array.from({ length: 20_000 }, (_, index) => line(index + 1, 'filler'));
    lines[3] = line(7_777_777, 'first copy');
    lines[19_990] = line(7_777_777, 'second copy');
    const key = `bronze/date=2026-04-01/hour=10/spotify-events+0+${'0'.repeat(19)}1-${'0'.repeat(14)}20000.ndjson.gz`;
    await localS3().send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${lines.join('\n')}\n`) }),
    );
    const warehouse = await openDuckDbWarehouse(tempWarehousePath());
    try {
      const summary = await loadEverything(warehouse, bucket);
      const kept = await warehouse.query<{ song_name: string }>(
        "SELECT song_name FROM bronze.listening_events WHERE event_id LIKE '%007777777'",
      );

      expect(summary).toMatchObject({ rowsInFiles: 20_000, rowsInserted: 19_999 });
      expect(kept).toEqual([{ song_name: 'first copy' }]);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN a hand-placed file with a bad line in the hour still being written WHEN loaded THEN it is loaded (lake objects never change), and the bad line is kept with its reason', async () => {
    const bucket = await emptyLake();
    const now = Date.parse('2026-04-01T12:30:00Z');
    const body = gzipSync(
      `${JSON.stringify(aListeningEventRecord({ timestamp: '2026-04-01T12:05:00Z' }))}\nnot an event\n`,
    );
    const key = `bronze/date=2026-04-01/hour=12/spotify-events+0+${'0'.repeat(19)}1-${'0'.repeat(19)}2.ndjson.gz`;
    await localS3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const warehouse = await openDuckDbWarehouse(tempWarehousePath());
    try {
      const loaded = await loadEverything(warehouse, bucket, { nowMs: now });
      expect(loaded).toMatchObject({ filesLoaded: 1, rowsInserted: 1, linesRejected: 1 });
      const rejects = await warehouse.query<{ line_number: number; raw_line: string; reason: string }>(
        'SELECT line_number, raw_line, reason FROM bronze.load_rejects',
      );
      expect(rejects).toEqual([
        { line_number: 2, raw_line: 'not an event', reason: expect.stringMatching(/is not valid JSON/) },
      ]);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN a hand-placed file whose JSON line has no event_id WHEN loaded THEN its other lines load and that line is kept with its reason', async () => {
    const bucket = await emptyLake();
    const valid = JSON.stringify(aListeningEventRecord({ timestamp: '2026-04-01T09:05:00Z' }));
    const withoutId = JSON.stringify(
      withoutFields(aListeningEventRecord({ timestamp: '2026-04-01T09:06:00Z' }), 'event_id'),
    );
    const key = `bronze/date=2026-04-01/hour=09/spotify-events+0+${'0'.repeat(19)}1-${'0'.repeat(19)}2.ndjson.gz`;
    await localS3().send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${valid}\n${withoutId}\n`) }),
    );
    const warehouse = await openDuckDbWarehouse(tempWarehousePath());
    try {
      const summary = await loadEverything(warehouse, bucket);
      const rejects = await warehouse.query<{ line_number: number; reason: string }>(
        'SELECT line_number, reason FROM bronze.load_rejects',
      );

      expect(summary).toMatchObject({
        filesLoaded: 1,
        filesReadLineByLine: 1,
        rowsInFiles: 2,
        rowsInserted: 1,
        linesRejected: 1,
      });
      expect(rejects).toEqual([{ line_number: 2, reason: expect.stringMatching(/event_id/) }]);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN a batch where one file has a line that is not JSON and shares event_ids with the files either side WHEN loaded THEN only that file is read line by line, and each event keeps its first sighting by file, whichever reader read it', async () => {
    const bucket = await emptyLake();
    const line = (id: number, songName: string) =>
      eventLine(id, { song_name: songName, timestamp: '2026-05-02T10:05:00Z' });
    const key = (partition: number) =>
      `bronze/date=2026-05-02/hour=10/spotify-events+${partition}+${'0'.repeat(20)}-${'0'.repeat(19)}3.ndjson.gz`;
    const files = [
      [line(1, 'a: first copy of 1'), line(2, 'a')],
      [line(1, 'b: later copy of 1'), 'not json', line(3, 'b: first copy of 3')],
      [line(3, 'c: later copy of 3'), line(4, 'c')],
    ];
    for (const [partition, lines] of files.entries()) {
      await localS3().send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key(partition),
          Body: gzipSync(`${lines.join('\n')}\n`),
        }),
      );
    }
    const warehouse = await openDuckDbWarehouse(tempWarehousePath());
    try {
      const summary = await loadEverything(warehouse, bucket);
      const kept = await warehouse.query<{ id: string; song_name: string }>(
        'SELECT RIGHT(event_id, 1) AS id, song_name FROM bronze.listening_events ORDER BY event_id',
      );
      const ledger = await warehouse.query<{ rows_in_file: number; rows_inserted: number }>(
        'SELECT rows_in_file, rows_inserted FROM bronze.load_ledger ORDER BY file_key',
      );
      const rejects = await warehouse.query<{ file_key: string; line_number: number }>(
        'SELECT file_key, line_number FROM bronze.load_rejects',
      );

      expect(summary).toMatchObject({
        filesLoaded: 3,
        filesReadLineByLine: 1,
        rowsInFiles: 7,
        rowsInserted: 4,
        linesRejected: 1,
      });
      expect(kept).toEqual([
        { id: '1', song_name: 'a: first copy of 1' },
        { id: '2', song_name: 'a' },
        { id: '3', song_name: 'b: first copy of 3' },
        { id: '4', song_name: 'c' },
      ]);
      expect(ledger.map((row) => [row.rows_in_file, row.rows_inserted])).toEqual([
        [2, 2],
        [3, 1],
        [2, 1],
      ]);
      expect(rejects).toEqual([{ file_key: key(1), line_number: 2 }]);
    } finally {
      await warehouse.close();
    }
  });

  it('GIVEN lake keys with an empty segment and a dot-dot segment WHEN loaded THEN the rows and the ledger entry of each file name its exact key', async () => {
    const bucket = await emptyLake();
    const name = (offset: number) =>
      `spotify-events+0+${String(offset).padStart(20, '0')}-${String(offset).padStart(20, '0')}.ndjson.gz`;
    const keys = [
      `bronze/date=2026-04-01/hour=10//${name(1)}`,
      `bronze/date=2026-04-01/hour=10/x/../${name(2)}`,
    ];
    for (const [index, key] of keys.entries()) {
      const line = JSON.stringify(
        aListeningEventRecord({
          event_id: `00000000-0000-4000-8000-00000000000${index + 1}`,
          timestamp: '2026-04-01T10:05:00Z',
        }),
      );
      await localS3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(`${line}\n`) }));
    }
    const warehouse = await openDuckDbWarehouse(tempWarehousePath());
    try {
      const summary = await loadEverything(warehouse, bucket);
      const rows = await warehouse.query<{ source_file: string }>(
        'SELECT source_file FROM bronze.listening_events ORDER BY event_id',
      );
      const ledger = await warehouse.query<{ file_key: string; rows_inserted: number }>(
        'SELECT file_key, rows_inserted FROM bronze.load_ledger ORDER BY file_key',
      );

      expect(summary).toMatchObject({ filesLoaded: 2, rowsInserted: 2 });
      expect(rows.map((row) => row.source_file)).toEqual(keys);
      expect(ledger).toEqual([...keys].sort().map((key) => ({ file_key: key, rows_inserted: 1 })));
    } finally {
      await warehouse.close();
    }
  });

  describe('by arrival (what a run loads with no --from)', () => {
    const arrivals = { source: { kind: 'arrivals' } } as const;
    /** One consumer batch of `count` valid events of the given day, as the deployed consumer writes it. */
    const consumeEvents = async (bucket: string, firstOffset: number, count: number, day: string) =>
      consumeBatch(
        anMskEvent(
          Array.from({ length: count }, (_, n) =>
            anMskRecord({
              offset: firstOffset + n,
              value: eventLine(firstOffset + n, {
                timestamp: `${day}T10:${String(n % 60).padStart(2, '0')}:00Z`,
              }),
            }),
          ),
        ),
        { s3: localS3(), bucket },
        Date.now(),
      );

    it("GIVEN batches that arrived WHEN loaded, then loaded again after one more batch THEN each load reads only the manifests it has not recorded, whatever the events' days", async () => {
      const bucket = await emptyLake();
      await consumeEvents(bucket, 0, 3, '2026-01-05');
      await consumeEvents(bucket, 100, 3, '2024-02-29');
      const warehouse = await openDuckDbWarehouse(tempWarehousePath());
      try {
        const first = await loadEverything(warehouse, bucket, arrivals);
        const again = await loadEverything(warehouse, bucket, arrivals);
        await consumeEvents(bucket, 200, 2, '2023-07-01');
        const afterOneMore = await loadEverything(warehouse, bucket, arrivals);

        expect(first).toMatchObject({ filesLoaded: 2, rowsInserted: 6, manifestsRecorded: 2, skipped: [] });
        expect(first.daysTouched).toEqual(['2024-02-29', '2026-01-05']);
        expect(again).toMatchObject({ filesFound: 0, filesLoaded: 0, manifestsRecorded: 0 });
        expect(afterOneMore).toMatchObject({ filesLoaded: 1, rowsInserted: 2, manifestsRecorded: 1 });
        const [recorded] = await warehouse.query<{ manifests: number; problems: number }>(
          'SELECT COUNT(*) AS manifests, COUNT(problem) AS problems FROM bronze.load_arrivals',
        );
        expect(recorded).toEqual({ manifests: 3, problems: 0 });
      } finally {
        await warehouse.close();
      }
    });

    it('GIVEN an unreadable manifest, a manifest naming a key outside the layout and one naming an object since deleted WHEN loaded THEN each is reported with why, the good files load, and nothing is reported twice', async () => {
      const bucket = await emptyLake();
      await consumeEvents(bucket, 0, 2, '2026-01-05');
      const now = Date.now();
      const put = (key: string, body: string) =>
        localS3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const broken = arrivalManifestKey(now, 'broken');
      const outside = arrivalManifestKey(now + 1, 'outside');
      const deleted = arrivalManifestKey(now + 2, 'deleted');
      const gone =
        'bronze/date=2026-01-05/hour=10/spotify-events+9+00000000000000000001-00000000000000000002.ndjson.gz';
      await put(broken, '{"version": 1, "bronze": [');
      await put(
        outside,
        JSON.stringify({ version: 1, arrived_at: '', bronze: ['notes/readme.txt'], quarantine: [] }),
      );
      await put(deleted, JSON.stringify({ version: 1, arrived_at: '', bronze: [gone], quarantine: [] }));
      const warehouse = await openDuckDbWarehouse(tempWarehousePath());
      try {
        const first = await loadEverything(warehouse, bucket, arrivals);
        const again = await loadEverything(warehouse, bucket, arrivals);

        expect(first).toMatchObject({ filesLoaded: 1, rowsInserted: 2, manifestsRecorded: 4 });
        expect(first.skipped).toEqual([
          { key: broken, reason: expect.stringMatching(/^arrival manifest not used: it is not JSON/) },
          {
            key: 'notes/readme.txt',
            reason: `listed by ${outside}, but not a bronze object of the lake layout`,
          },
          { key: gone, reason: expect.stringMatching(/^listed as arrived, but the lake has no such object/) },
        ]);
        expect(again).toMatchObject({ filesFound: 0, manifestsRecorded: 0, skipped: [] });
        const problems = await warehouse.query<{ manifest_key: string; problem: string }>(
          'SELECT manifest_key, problem FROM bronze.load_arrivals WHERE problem IS NOT NULL ORDER BY manifest_key',
        );
        expect(problems.map((row) => row.manifest_key)).toEqual([broken, outside, deleted]);
      } finally {
        await warehouse.close();
      }
    });

    it('GIVEN a load that runs out of time after its first transaction WHEN the next load runs THEN the files left are reported, then loaded, and every manifest is recorded once', async () => {
      const bucket = await emptyLake();
      for (let batch = 0; batch < 4; batch++)
        await consumeEvents(bucket, batch * 100, 2, `2026-01-0${batch + 1}`);
      const warehouse = await openDuckDbWarehouse(tempWarehousePath());
      try {
        let transactions = 0;
        const cut = await loadEverything(warehouse, bucket, {
          ...arrivals,
          filesPerTransaction: 1,
          hasTimeForAnotherTransaction: () => ++transactions < 2,
        });
        const next = await loadEverything(warehouse, bucket, arrivals);

        expect(cut).toMatchObject({
          filesFound: 4,
          filesLoaded: 2,
          filesLeftForNextRun: 2,
          manifestsRecorded: 2,
        });
        expect(next).toMatchObject({
          filesFound: 2,
          filesLoaded: 2,
          filesLeftForNextRun: 0,
          manifestsRecorded: 2,
        });
        const [bronze] = await warehouse.query<{ rows: number; loads: number }>(
          'SELECT COUNT(*) AS rows, COUNT(DISTINCT load_id) AS loads FROM bronze.listening_events',
        );
        expect(bronze).toEqual({ rows: 8, loads: 3 }); // two transactions of one file, then one of two
      } finally {
        await warehouse.close();
      }
    });
  });
});

function runToExit(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(inject('cliNode'), [CLI_PATH, ...args], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}
