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
export function hourPartitionPrefix(area: LakeArea | typeof ARRIVALS_PREFIX, epochMs: number): string {
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

/**
 * Arrival manifests: after a batch's objects are in the lake, the consumer writes one small JSON
 * object under `arrivals/`, in the folder of the hour it ARRIVED (its wall clock), naming every lake
 * object that holds the batch's records. The loader finds new files by listing `arrivals/` from
 * where its last load stopped, so finding them costs what arrived since, whatever the events' own
 * times: an event from last year lands in last year's `bronze/` folder (people query the lake by
 * event time) and is still found within one load.
 */
export const ARRIVALS_PREFIX = 'arrivals/';
export const ARRIVAL_MANIFEST_SUFFIX = '.json';

/** What an arrival manifest holds. Versioned, so that a loader can refuse one it does not know. */
export interface ArrivalManifest {
  readonly version: 1;
  /** When the consumer wrote it, ISO-8601 UTC. */
  readonly arrived_at: string;
  /** Keys of the `bronze/` objects holding the batch's events (written now, or found already there). */
  readonly bronze: readonly string[];
  /** Keys of the `quarantine/` objects holding the batch's refused records. */
  readonly quarantine: readonly string[];
  /**
   * Which Kafka record is where, for the audit: absent in manifests written before it was added
   * (an addition, not a new version, so that a loader of either age reads either manifest).
   */
  readonly records?: ManifestRecords;
}

/** Offsets as runs of consecutive offsets, `[first, last]` inclusive, in ascending order. */
export type OffsetRuns = readonly (readonly [number, number])[];

export interface ManifestRecords {
  /**
   * Per object this batch wrote (or found already there under the same name, which means the same
   * records), the offsets of its lines in order: the n-th offset is the n-th line. Every object
   * holds one topic partition, the one its name says.
   */
  readonly lines: Readonly<Record<string, OffsetRuns>>;
  /** Records that repeated an event earlier in the batch: written once, as that earlier record's line. */
  readonly repeats: readonly RepeatedRecord[];
}

export interface RepeatedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record whose line holds the event. */
  readonly first: { readonly partition: number; readonly offset: number };
}

/** Ascending offsets as runs: [3, 4, 5, 9] is [[3, 5], [9, 9]]. */
export function offsetRunsOf(offsets: readonly number[]): OffsetRuns {
  const runs: [number, number][] = [];
  for (const offset of offsets) {
    const last = runs.at(-1);
    if (last !== undefined && offset === last[1] + 1) last[1] = offset;
    else runs.push([offset, offset]);
  }
  return runs;
}

/**
 * An arrival manifest's JSON, checked: what it lists, or why it cannot be used. `records` is
 * optional (manifests written before it have none), but when present it must be whole.
 */
export function checkArrivalManifest(text: string): ArrivalManifest | { readonly problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `it is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isObject(value) || value.version !== 1)
    return { problem: `its version is ${JSON.stringify(isObject(value) ? value.version : value)}, not 1` };
  if (typeof value.arrived_at !== 'string') return { problem: '"arrived_at" is not a time' };
  for (const area of ['bronze', 'quarantine'] as const)
    if (!isStringList(value[area])) return { problem: `"${area}" is not a list of object keys` };
  const records = value.records;
  if (records !== undefined) {
    const problem = recordsProblem(records);
    if (problem !== null) return { problem: `"records" ${problem}` };
  }
  return value as unknown as ArrivalManifest;
}

const isOffset = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

function recordsProblem(records: unknown): string | null {
  if (!isObject(records) || !isObject(records.lines) || !Array.isArray(records.repeats))
    return 'must hold "lines" (per object key) and "repeats" (a list)';
  for (const [key, runs] of Object.entries(records.lines)) {
    if (
      !Array.isArray(runs) ||
      !runs.every((run) => Array.isArray(run) && run.length === 2 && run.every(isOffset) && run[0] <= run[1])
    )
      return `lists offsets of ${key} that are not [first, last] runs of whole numbers`;
  }
  for (const repeat of records.repeats) {
    if (
      !isObject(repeat) ||
      typeof repeat.topic !== 'string' ||
      !isOffset(repeat.partition) ||
      !isOffset(repeat.offset) ||
      !isObject(repeat.first) ||
      !isOffset(repeat.first.partition) ||
      !isOffset(repeat.first.offset)
    )
      return `holds a repeat that is not {topic, partition, offset, first: {partition, offset}}: ${JSON.stringify(repeat)}`;
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The offsets of runs, in order. */
export function offsetsOfRuns(runs: OffsetRuns): number[] {
  const offsets: number[] = [];
  for (const [first, last] of runs) for (let offset = first; offset <= last; offset++) offsets.push(offset);
  return offsets;
}

/** `20261130T012345123Z`: an instant as a name part that sorts in time order. */
function compactInstant(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:.]/g, '');
}

/**
 * `arrivals/date=2026-11-30/hour=01/20261130T012345123Z-<batch>.json`. Keys sort by arrival time:
 * the hour folders by name, and names within a folder by their leading instant.
 */
export function arrivalManifestKey(arrivedAtMs: number, batchName: string): string {
  if (!/^[0-9a-z]+$/.test(batchName))
    throw new Error(
      `an arrival manifest's batch name must be lower-case letters and digits, not "${batchName}"`,
    );
  return `${arrivalNamePrefix(arrivedAtMs)}-${batchName}${ARRIVAL_MANIFEST_SUFFIX}`;
}

/**
 * What every manifest that arrived at or after `sinceMs` sorts after, and every earlier one does
 * not: the StartAfter of a listing of `arrivals/` from that instant on.
 */
export function arrivalsListedFrom(sinceMs: number): string {
  return arrivalNamePrefix(sinceMs);
}

function arrivalNamePrefix(epochMs: number): string {
  return `${hourPartitionPrefix(ARRIVALS_PREFIX, epochMs)}${compactInstant(epochMs)}`;
}

const ARRIVAL_KEY = /^arrivals\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/(\d{8}T\d{9}Z)-[0-9a-z]+\.json$/;

/** When a manifest arrived, read from its key (epoch ms); null for a key this layout did not write. */
export function arrivalTimeOfKey(key: string): number | null {
  const match = ARRIVAL_KEY.exec(key);
  if (match === null) return null;
  const t = match[1]!;
  const iso = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 18)}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Replay markers: `spotify-pipeline replay-failed` replays a batch the event source gave up on
 * (Lambda's failure record under `aws/lambda/`, whose key Lambda chooses) and then writes one small
 * JSON object at `replays/<the failure record's key>.json` saying when, how many records and which
 * arrival manifest. A failure record with a marker is not replayed again.
 */
export const REPLAYS_PREFIX = 'replays/';

export function replayMarkerKey(failureRecordKey: string): string {
  return `${REPLAYS_PREFIX}${failureRecordKey}.json`;
}
