import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  type ArrivalManifest,
  arrivalManifestKey,
  BRONZE_PREFIX,
  lakeObjectKey,
  type ManifestRecords,
  type OffsetRuns,
  offsetRunsOf,
  parseLakeObjectKey,
  type RepeatedRecord,
  topicPartitionPrefix,
} from '../shared/lake/lake-layout.js';
import { mapInParallel } from '../shared/runtime/in-parallel.js';
import type { KafkaBatchItemFailure } from './msk-event.js';
import { topicPartitionName } from './msk-event.js';
import type { LakeWritePlan, PlannedEntry, PlannedLakeObject } from './plan-lake-writes.js';

const gzipAsync = promisify(gzip);

/** Objects written at once: enough to hide S3 latency, few enough not to flood a small function. */
const PARALLEL_WRITES = 8;

export interface LakeWriteOutcome {
  readonly objectsWritten: number;
  readonly bytesWritten: number;
  /** Records skipped because an earlier delivery of the same offsets is already in the lake. */
  readonly recordsAlreadyInLake: number;
  /** The lowest offset per topic partition whose object could not be written: deliver from there again. */
  readonly failures: readonly KafkaBatchItemFailure[];
  /** What went wrong, per failed object, for the logs. */
  readonly errors: readonly { readonly key: string; readonly error: string }[];
  /**
   * Every lake object that now holds some of the batch's records, written by this call or found
   * already there (a redelivery): what the batch's arrival manifest lists. Sorted, no repeats.
   */
  readonly objectKeys: { readonly bronze: readonly string[]; readonly quarantine: readonly string[] };
  /** Which record is in which object it wrote or found by name, and the repeats: for the manifest. */
  readonly records: ManifestRecords;
}

/**
 * Writes a plan's objects to the lake, exactly once per Kafka record: before writing, it lists the
 * objects already holding this topic partition in the hour folder and leaves out the offsets they
 * cover, so a redelivered batch (a retry, a restart before offsets were committed, a batch cut at
 * other boundaries) adds nothing twice. Writes are conditional (`If-None-Match: *`): an object of the
 * same name is the same records, so finding one already there counts as written.
 */
export async function writePlannedObjects(
  s3: S3Client,
  bucket: string,
  plan: LakeWritePlan,
): Promise<LakeWriteOutcome> {
  let objectsWritten = 0;
  let bytesWritten = 0;
  let recordsAlreadyInLake = 0;
  const lowestFailedOffset = new Map<string, number>();
  const errors: { key: string; error: string }[] = [];
  const holding = { bronze: new Set<string>(), quarantine: new Set<string>() };
  const lines: Record<string, OffsetRuns> = {};
  const repeats: RepeatedRecord[] = [];

  await mapInParallel(plan.objects, PARALLEL_WRITES, async (object) => {
    const describedKey = `${object.hourPrefix}${object.topic}+${object.partition}+…`;
    try {
      const holdingKeys = object.area === BRONZE_PREFIX ? holding.bronze : holding.quarantine;
      const covered = await coveredOffsetRanges(s3, bucket, object);
      const remaining = object.entries.filter((entry) => {
        const holder = covered.find((range) => entry.offset >= range.first && entry.offset <= range.last);
        // A repeat within the batch (no line) is held by its first sighting's object, not this one.
        if (holder !== undefined && entry.line !== null) holdingKeys.add(holder.key);
        return holder === undefined;
      });
      recordsAlreadyInLake += object.entries.length - remaining.length;
      const written = remaining.filter((entry) => entry.line !== null);
      const repeated = remaining.flatMap((entry) =>
        entry.repeatOf === undefined
          ? []
          : [
              {
                topic: object.topic,
                partition: object.partition,
                offset: entry.offset,
                first: entry.repeatOf,
              },
            ],
      );
      if (written.length === 0) {
        repeats.push(...repeated);
        return;
      }
      const body = await gzipAsync(`${written.map((entry) => entry.line).join('\n')}\n`);
      const key = lakeObjectKey(object.hourPrefix, {
        topic: object.topic,
        partition: object.partition,
        firstOffset: remaining[0]!.offset,
        lastOffset: remaining.at(-1)!.offset,
      });
      if (await putIfAbsent(s3, bucket, key, body)) {
        objectsWritten++;
        bytesWritten += body.length;
      } else {
        recordsAlreadyInLake += remaining.length;
      }
      holdingKeys.add(key);
      // Same name, same records: an object found already there holds these lines too.
      lines[key] = offsetRunsOf(written.map((entry) => entry.offset));
      repeats.push(...repeated);
    } catch (error) {
      errors.push({ key: describedKey, error: error instanceof Error ? error.message : String(error) });
      const name = topicPartitionName(object.topic, object.partition);
      const lowest = lowestOffset(object.entries);
      lowestFailedOffset.set(name, Math.min(lowestFailedOffset.get(name) ?? lowest, lowest));
    }
  });

  const failures = [...lowestFailedOffset]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([partition, offset]) => ({
      itemIdentifier: { partition, offset },
    }));
  return {
    objectsWritten,
    bytesWritten,
    recordsAlreadyInLake,
    failures,
    errors,
    objectKeys: { bronze: [...holding.bronze].sort(), quarantine: [...holding.quarantine].sort() },
    records: {
      lines: Object.fromEntries(Object.entries(lines).sort(([a], [b]) => a.localeCompare(b))),
      repeats: repeats.sort((a, b) => a.partition - b.partition || a.offset - b.offset),
    },
  };
}

/**
 * Writes the batch's arrival manifest (see lake-layout.ts), after its objects: the loader finds
 * new files through these. Named by the arrival time and a digest of what it lists, and written
 * only if absent, so a retry of the same call changes nothing.
 */
export async function writeArrivalManifest(
  s3: S3Client,
  bucket: string,
  arrivedAtMs: number,
  outcome: Pick<LakeWriteOutcome, 'objectKeys' | 'records'>,
): Promise<string> {
  const manifest: ArrivalManifest = {
    version: 1,
    arrived_at: new Date(arrivedAtMs).toISOString(),
    bronze: outcome.objectKeys.bronze,
    quarantine: outcome.objectKeys.quarantine,
    records: outcome.records,
  };
  const body = JSON.stringify(manifest);
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const key = arrivalManifestKey(arrivedAtMs, digest);
  await putIfAbsent(s3, bucket, key, Buffer.from(body), 'application/json');
  return key;
}

/** The objects already in the lake for this object's hour folder and topic partition, with their offset ranges. */
async function coveredOffsetRanges(
  s3: S3Client,
  bucket: string,
  object: PlannedLakeObject,
): Promise<{ key: string; first: number; last: number }[]> {
  const prefix = topicPartitionPrefix(object.hourPrefix, object.topic, object.partition);
  const ranges: { key: string; first: number; last: number }[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
    );
    for (const item of page.Contents ?? []) {
      const range = item.Key === undefined ? null : parseLakeObjectKey(item.Key);
      if (range !== null) ranges.push({ key: item.Key!, first: range.firstOffset, last: range.lastOffset });
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
  return ranges;
}

/** Writes the object unless one of that name exists (`If-None-Match: *`); returns whether this call wrote it. */
export async function putIfAbsent(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer,
  contentType = 'application/gzip',
): Promise<boolean> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        IfNoneMatch: '*',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return false;
    throw error;
  }
}

function lowestOffset(entries: readonly PlannedEntry[]): number {
  return entries.reduce((lowest, entry) => Math.min(lowest, entry.offset), Number.POSITIVE_INFINITY);
}
