/**
 * Where things live in the lake. Accepted events go under `bronze/`, partitioned by the hour the
 * event happened (UTC); records the pipeline could not use go under `quarantine/`, partitioned by
 * the hour Kafka stamped them. Plain `date=YYYY-MM-DD/hour=HH/` folders work on S3, MinIO and any
 * engine that reads Hive-style partitions.
 *
 * Object names say which Kafka records they hold: topic, partition and the first and last offset,
 * `spotify-events+3+00000000000000004211-00000000000000004299.ndjson.gz`. So a retried batch
 * rewrites the same names, and a writer can tell which offsets are already in the lake.
 */

export const BRONZE_PREFIX = 'bronze/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const LAKE_OBJECT_SUFFIX = '.ndjson.gz';

/** Offsets are zero-padded to 20 digits (int64's width) so that names sort in offset order. */
const OFFSET_DIGITS = 20;

export type LakeArea = typeof BRONZE_PREFIX | typeof QUARANTINE_PREFIX;

/** `bronze/date=2026-01-01/hour=09/` for an instant in epoch milliseconds. */
export function hourPartitionPrefix(area: LakeArea, epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${area}date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

/** The Kafka records an object holds: one partition of one topic, offsets first to last inclusive. */
export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export function lakeObjectKey(hourPrefix: string, range: OffsetRange): string {
  const first = String(range.firstOffset).padStart(OFFSET_DIGITS, '0');
  const last = String(range.lastOffset).padStart(OFFSET_DIGITS, '0');
  return `${hourPrefix}${range.topic}+${range.partition}+${first}-${last}${LAKE_OBJECT_SUFFIX}`;
}

/** The name prefix shared by every object of one topic partition within an hour folder. */
export function topicPartitionPrefix(hourPrefix: string, topic: string, partition: number): string {
  return `${hourPrefix}${topic}+${partition}+`;
}

const OBJECT_NAME = /^(.+)\+(\d+)\+(\d{20})-(\d{20})\.ndjson\.gz$/;

/** Reads back the offset range from an object key; null for keys this layout did not write. */
export function parseLakeObjectKey(key: string): OffsetRange | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const match = OBJECT_NAME.exec(name);
  if (match === null) return null;
  return {
    topic: match[1]!,
    partition: Number(match[2]),
    firstOffset: Number(match[3]),
    lastOffset: Number(match[4]),
  };
}
