import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ARRIVALS_PREFIX, arrivalsListedFrom, BRONZE_PREFIX } from '../shared/lake/lake-layout.js';
import { mapInParallel } from '../shared/runtime/in-parallel.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../shared/warehouse/sql-files.js';
import type { Warehouse } from '../shared/warehouse/warehouse.js';
import {
  type ArrivalRecord,
  bronzeHourFolder,
  type LoadWindow,
  readArrivalManifest,
  selectFilesInWindow,
} from './lake-file-selection.js';

/** Manifests read at once. */
const PARALLEL_READS = 8;

/**
 * How far before the newest manifest already dealt with a load starts listing `arrivals/` again.
 * A manifest is named by its writer's clock just before it is written, so one may become visible
 * after a later-named one: a slow write, or two consumers whose clocks differ a little. Manifests
 * of the grace period that were dealt with are known by name and passed over.
 */
export const ARRIVAL_GRACE_MS = 15 * 60_000;

/** The files a load found, in the order to load them, and what it found it cannot load. */
export interface FoundLakeFiles {
  readonly files: readonly string[];
  /** Per file, when it reached the lake (epoch ms): its manifest's arrival, or its LastModified. */
  readonly arrivedAtMs: ReadonlyMap<string, number>;
  /** The manifests read (empty for a backfill window), in arrival order. */
  readonly manifests: readonly ArrivalRecord[];
}

/**
 * New files by arrival: the manifests under `arrivals/` since the newest one the warehouse has
 * recorded (less the grace period) that it has not recorded, read and checked. What this costs
 * follows what arrived since the last load, never the lake's history.
 */
export async function findArrivedFiles(
  s3: S3Client,
  bucket: string,
  warehouse: Warehouse,
): Promise<FoundLakeFiles> {
  const [latest] = await warehouse.query<{ arrived_at: string | null }>(
    readSqlStatement(DEFAULT_SQL_DIR, 'loader/latest_arrival.sql'),
  );
  const latestMs = latest?.arrived_at ? utcWallClockToMs(latest.arrived_at) : null;
  const startAfter = latestMs === null ? undefined : arrivalsListedFrom(latestMs - ARRIVAL_GRACE_MS);
  const recorded = new Set(
    startAfter === undefined
      ? []
      : (
          await warehouse.query<{ manifest_key: string }>(
            readSqlStatement(DEFAULT_SQL_DIR, 'loader/arrivals_recorded_since.sql'),
            [startAfter],
          )
        ).map((row) => row.manifest_key),
  );
  const listed = await listKeys(s3, bucket, ARRIVALS_PREFIX, startAfter);
  const keys = [...listed.keys()].filter((key) => !recorded.has(key)).sort();
  const manifests = await mapInParallel(keys, PARALLEL_READS, async (key) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return readArrivalManifest(key, await object.Body!.transformToString());
  });
  const files: string[] = [];
  const arrivedAtMs = new Map<string, number>();
  for (const manifest of manifests) {
    for (const file of manifest.files) {
      if (arrivedAtMs.has(file)) continue;
      arrivedAtMs.set(file, manifest.arrivedAtMs);
      files.push(file);
    }
  }
  return { files, arrivedAtMs, manifests };
}

/** A backfill: every bronze object in the window's hour folders, whatever its arrival. */
export async function findFilesInWindow(
  s3: S3Client,
  bucket: string,
  window: LoadWindow,
): Promise<FoundLakeFiles> {
  // Keys sort by date and hour: start just before the window's first folder.
  const listed = await listKeys(s3, bucket, BRONZE_PREFIX, bronzeHourFolder(window.fromMs).slice(0, -1));
  const files = selectFilesInWindow(listed.keys(), window);
  return { files, arrivedAtMs: new Map(files.map((file) => [file, listed.get(file)!])), manifests: [] };
}

/** `2026-11-30 01:23:45.123` (UTC) as epoch ms. */
function utcWallClockToMs(text: string): number {
  const ms = Date.parse(`${text.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(ms))
    throw new Error(`bronze.load_arrivals holds an arrival time "${text}" that is not a timestamp`);
  return ms;
}

/** Keys under `prefix` after `startAfter`, each with when it was written (epoch ms). */
async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  startAfter: string | undefined,
): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        StartAfter: continuationToken === undefined ? startAfter : undefined,
        ContinuationToken: continuationToken,
      }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key !== undefined) objects.set(item.Key, item.LastModified?.getTime() ?? 0);
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
  return objects;
}
