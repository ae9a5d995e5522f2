import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createBronzeTables } from '../lambdas/loader/bronze-tables.js';
import { findArrivedFiles, findFilesInWindow } from '../lambdas/loader/find-new-lake-files.js';
import { DEFAULT_EVENTS_TOPIC } from '../lambdas/shared/kafka/pipeline-topic.js';
import {
  arrivalManifestKey,
  hourPartitionPrefix,
  lakeObjectKey,
} from '../lambdas/shared/lake/lake-layout.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../lambdas/shared/warehouse/sql-files.js';
import type { Warehouse } from '../lambdas/shared/warehouse/warehouse.js';
import { openDuckDbWarehouse } from '../local/warehouse/duckdb-warehouse.js';
import type { BenchFigure } from './bench-figure.js';
import { benchS3, benchServices, newBucket } from './support/local-stack-for-bench.js';

const HOUR_MS = 3_600_000;
/** Objects each consumer batch of the new hour writes (one per partition). */
const NEW_HOUR_OBJECTS = 6;
/** Parallel PUTs while building a lake's history. */
const PARALLEL_PUTS = 16;
const REPEATS = 5;

/**
 * What finding an hour's new files costs, in a lake with a year of hour folders beside a lake with
 * one day: S3 requests (what AWS bills and waits on) and wall time against the local S3 server. A
 * load lists `arrivals/` from its last recorded manifest, so both should stay flat as history
 * grows. For scale, the listing a load by event time would need to find a late event anywhere in
 * the year: every `bronze/` key. (moto filters a bucket's keys in memory on every listing, so its
 * times grow with the bucket somewhat even for a listing that returns little; S3 does not.)
 */
export async function run(): Promise<readonly BenchFigure[]> {
  const { s3Endpoint } = await benchServices();
  const nowMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const oneDay = await lakeWithHistory(s3Endpoint, 24, nowMs);
  const oneYear = await lakeWithHistory(s3Endpoint, 365 * 24, nowMs);
  try {
    const dayCost = await costOfFinding(oneDay, () =>
      findArrivedFiles(oneDay.s3, oneDay.bucket, oneDay.warehouse),
    );
    const yearCost = await costOfFinding(oneYear, () =>
      findArrivedFiles(oneYear.s3, oneYear.bucket, oneYear.warehouse),
    );
    const everyBronzeKey = await costOfFinding(oneYear, () =>
      findFilesInWindow(oneYear.s3, oneYear.bucket, {
        fromMs: nowMs - 366 * 24 * HOUR_MS,
        toMs: nowMs + HOUR_MS,
      }),
    );
    if (dayCost.files !== NEW_HOUR_OBJECTS || yearCost.files !== NEW_HOUR_OBJECTS)
      throw new Error(`found ${dayCost.files} and ${yearCost.files} new files, not ${NEW_HOUR_OBJECTS}`);
    return [
      {
        name: 'load.find_new_files_s3_requests_year_of_history',
        value: yearCost.requests,
        unit: 'requests',
        baseline: { name: 'lake with one day of history', value: dayCost.requests, unit: 'requests' },
        target: 'the same as the baseline',
      },
      {
        name: 'load.find_new_files_year_of_history',
        value: yearCost.ms,
        unit: 'ms',
        baseline: { name: 'lake with one day of history', value: dayCost.ms, unit: 'ms' },
      },
      {
        name: 'load.list_every_bronze_key_year_of_history',
        value: everyBronzeKey.ms,
        unit: 'ms',
        baseline: { name: 'finding new files by arrival, same lake', value: yearCost.ms, unit: 'ms' },
      },
      {
        name: 'load.list_every_bronze_key_s3_requests_year_of_history',
        value: everyBronzeKey.requests,
        unit: 'requests',
        baseline: {
          name: 'finding new files by arrival, same lake',
          value: yearCost.requests,
          unit: 'requests',
        },
      },
    ];
  } finally {
    await oneDay.warehouse.close();
    await oneYear.warehouse.close();
  }
}

interface BenchLake {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly warehouse: Warehouse;
  /** S3 requests sent through `s3` so far. */
  readonly requests: () => number;
}

/**
 * A lake whose every past hour holds one object and its arrival manifest, all recorded as loaded
 * (ledger and arrivals, as loads would have left them), and then one new hour's batch of objects
 * with its manifest, not yet loaded.
 */
async function lakeWithHistory(s3Endpoint: string, hours: number, nowMs: number): Promise<BenchLake> {
  const s3 = benchS3(s3Endpoint);
  let requests = 0;
  s3.middlewareStack.add(
    (next) => (args) => {
      requests++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const bucket = await newBucket(s3, `bench-arrivals-${hours}h-${Date.now()}`);
  const body = gzipSync('{}\n');
  const history = Array.from({ length: hours }, (_, index) => nowMs - (hours - index) * HOUR_MS);
  const objectOf = (hourMs: number, partition: number) =>
    lakeObjectKey(hourPartitionPrefix('bronze/', hourMs), {
      topic: DEFAULT_EVENTS_TOPIC,
      partition,
      firstOffset: 0,
      lastOffset: 0,
    });
  const manifest = (arrivedAtMs: number, keys: string[]) =>
    JSON.stringify({
      version: 1,
      arrived_at: new Date(arrivedAtMs).toISOString(),
      bronze: keys,
      quarantine: [],
    });
  const put = (key: string, content: string | Buffer) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content }));
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL_PUTS }, async () => {
      while (next < history.length) {
        const hourMs = history[next++]!;
        const key = objectOf(hourMs, 0);
        await put(key, body);
        await put(arrivalManifestKey(hourMs + 60_000, 'history'), manifest(hourMs + 60_000, [key]));
      }
    }),
  );
  const newKeys = Array.from({ length: NEW_HOUR_OBJECTS }, (_, partition) => objectOf(nowMs, partition));
  for (const key of newKeys) await put(key, body);
  await put(arrivalManifestKey(nowMs + 60_000, 'new'), manifest(nowMs + 60_000, newKeys));

  const warehouse = await openDuckDbWarehouse(':memory:');
  await createBronzeTables(warehouse);
  const wallClock = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  await warehouse.executeMany(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_arrival.sql'),
    history.map((hourMs) => [
      arrivalManifestKey(hourMs + 60_000, 'history'),
      wallClock(hourMs + 60_000),
      1,
      null,
      wallClock(nowMs),
    ]),
  );
  await warehouse.executeMany(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/record_loaded_file.sql'),
    history.map((hourMs) => [
      objectOf(hourMs, 0),
      hourPartitionPrefix('bronze/', hourMs),
      1,
      1,
      wallClock(nowMs),
      'history/1',
    ]),
  );
  return { s3, bucket, warehouse, requests: () => requests };
}

/** The fastest of REPEATS finds (each reads only), and the S3 requests one find makes. */
async function costOfFinding(
  lake: BenchLake,
  find: () => Promise<{ readonly files: readonly string[] }>,
): Promise<{ ms: number; requests: number; files: number }> {
  let ms = Number.POSITIVE_INFINITY;
  let requests = 0;
  let files = 0;
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const before = lake.requests();
    const started = performance.now();
    const found = await find();
    ms = Math.min(ms, performance.now() - started);
    requests = lake.requests() - before;
    files = found.files.length;
  }
  return { ms, requests, files };
}
