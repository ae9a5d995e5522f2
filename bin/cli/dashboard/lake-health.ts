import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import type { QuarantinedRecord } from '../../../lambdas/consumer/plan-lake-writes.js';
import { parseLakeObject } from '../../../lambdas/loader/parse-bronze-file.js';
import type { ContractProblem } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import {
  ARRIVALS_PREFIX,
  arrivalTimeOfKey,
  BRONZE_PREFIX,
  QUARANTINE_PREFIX,
} from '../../../lambdas/shared/lake/lake-layout.js';
import { mapInParallel } from '../../../lambdas/shared/runtime/in-parallel.js';
import { listFolders, listKeys, PARALLEL_READS, readObject } from '../lake-objects.js';

const gunzipAsync = promisify(gunzip);

/**
 * The quarantine is read object by object; beyond this many, the newest are read and the panel says
 * how many were left out, so that a dashboard refresh stays quick on a lake with a large quarantine.
 */
export const QUARANTINE_OBJECTS_READ = 1_000;

/** What the lake itself says, before the warehouse: its newest event, last arrival and quarantine. */
export interface LakeHealth {
  readonly bucket: string;
  /** The newest event time in the newest `bronze/` hour folder, ISO-8601 UTC; null when bronze is empty. */
  readonly newestEvent: string | null;
  /** When the consumer last wrote a batch (its newest arrival manifest), ISO-8601 UTC. */
  readonly lastArrival: string | null;
  readonly quarantine: QuarantineSummary;
}

export interface QuarantineSummary {
  /** Objects under `quarantine/`, and how many of the newest were read. */
  readonly objects: number;
  readonly objectsRead: number;
  /** Records in the objects read. */
  readonly records: number;
  /** Records by the kind of their first problem (problemKindOf), most first. */
  readonly byProblem: readonly { readonly problem: string; readonly records: number }[];
}

export async function readLakeHealth(s3: S3Client, bucket: string): Promise<LakeHealth> {
  const [newestEvent, lastArrival, quarantine] = await Promise.all([
    newestBronzeEvent(s3, bucket),
    newestArrival(s3, bucket),
    summariseQuarantine(s3, bucket),
  ]);
  return { bucket, newestEvent, lastArrival, quarantine };
}

/**
 * Bronze is partitioned by event time, so the newest event is in the newest hour folder: three
 * short listings and that folder's objects, whatever the lake's size.
 */
async function newestBronzeEvent(s3: S3Client, bucket: string): Promise<string | null> {
  const hourFolder = await newestHourFolder(s3, bucket, BRONZE_PREFIX);
  if (hourFolder === null) return null;
  let newest: string | null = null;
  const keys = await listKeys(s3, bucket, hourFolder);
  await mapInParallel(keys, PARALLEL_READS, async (key) => {
    const body = await readObject(s3, bucket, key);
    if (body === null) return;
    const { rows } = await parseLakeObject(body);
    for (const { event } of rows) {
      if (newest === null || event.timestamp > newest) newest = event.timestamp;
    }
  });
  return newest;
}

async function newestArrival(s3: S3Client, bucket: string): Promise<string | null> {
  const hourFolder = await newestHourFolder(s3, bucket, ARRIVALS_PREFIX);
  if (hourFolder === null) return null;
  const times = (await listKeys(s3, bucket, hourFolder))
    .map(arrivalTimeOfKey)
    .filter((time): time is number => time !== null);
  return times.length === 0 ? null : new Date(Math.max(...times)).toISOString();
}

async function summariseQuarantine(s3: S3Client, bucket: string): Promise<QuarantineSummary> {
  // Keys sort by date and hour folder, so the last ones are the newest.
  const keys = await listKeys(s3, bucket, QUARANTINE_PREFIX);
  const read = keys.slice(-QUARANTINE_OBJECTS_READ);
  const counts = new Map<string, number>();
  let records = 0;
  await mapInParallel(read, PARALLEL_READS, async (key) => {
    const body = await readObject(s3, bucket, key);
    if (body === null) return;
    const text = (await gunzipAsync(body)).toString('utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const problem = problemKindOfLine(line);
      counts.set(problem, (counts.get(problem) ?? 0) + 1);
      records++;
    }
  });
  const byProblem = [...counts]
    .map(([problem, count]) => ({ problem, records: count }))
    .sort((a, b) => b.records - a.records || a.problem.localeCompare(b.problem));
  return { objects: keys.length, objectsRead: read.length, records, byProblem };
}

/** A quarantine line this version cannot read (another writer's, or damaged) counts as a kind of its own. */
const UNREADABLE_QUARANTINE_LINE = 'a quarantine line this version cannot read';

/** The kind of problem a quarantine line records (problemKindOf), read and checked. */
export function problemKindOfLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return UNREADABLE_QUARANTINE_LINE;
  }
  if (typeof record !== 'object' || record === null) return UNREADABLE_QUARANTINE_LINE;
  const { problems, reason } = record as { problems?: unknown; reason?: unknown };
  if (typeof reason !== 'string' || !Array.isArray(problems)) return UNREADABLE_QUARANTINE_LINE;
  const readable = problems.filter(
    (problem): problem is ContractProblem =>
      typeof problem === 'object' &&
      problem !== null &&
      typeof (problem as ContractProblem).field === 'string' &&
      typeof (problem as ContractProblem).reason === 'string',
  );
  return problemKindOf({ problems: readable, reason });
}

/**
 * What went wrong with a record, as one of a few kinds: its first problem's field and reason,
 * without the offending value or a trailing detail in parentheses (a JSON parser's position, an
 * example), so that a hundred truncated records count as one kind.
 */
export function problemKindOf(record: Pick<QuarantinedRecord, 'problems' | 'reason'>): string {
  const first = record.problems[0];
  const kind = first === undefined ? record.reason : `${first.field} ${first.reason}`;
  return kind.replace(/\s*\([^()]*\)$/, '');
}

/** `bronze/date=…/hour=…/` with the greatest date and hour, or null when the area is empty. */
async function newestHourFolder(s3: S3Client, bucket: string, area: string): Promise<string | null> {
  const day = (await listFolders(s3, bucket, area)).at(-1);
  if (day === undefined) return null;
  return (await listFolders(s3, bucket, day)).at(-1) ?? null;
}
