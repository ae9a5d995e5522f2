import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ARRIVALS_PREFIX,
  type ArrivalManifest,
  arrivalsListedFrom,
  checkArrivalManifest,
  offsetsOfRuns,
  parseLakeObjectKey,
  type RepeatedRecord,
} from '../../../lambdas/shared/lake/lake-layout.js';
import { mapInParallel } from '../../../lambdas/shared/runtime/in-parallel.js';
import { listKeys, PARALLEL_READS, readObject } from '../lake-objects.js';

const gunzipAsync = promisify(gunzip);

/** A lake object the manifests name, and what is in it. */
export interface LakeObjectAccount {
  readonly key: string;
  readonly area: 'bronze' | 'quarantine';
  readonly topic: string;
  readonly partition: number;
  /**
   * The offsets of its lines, from the manifest that wrote it; null for an object only manifests
   * written before offsets were recorded name: then only its name's first and last are known.
   */
  readonly offsets: readonly number[] | null;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** Lines read from the object; null when it is not in the lake. */
  readonly lines: number | null;
}

/** What the lake says it holds: its objects (read), and the records written once as repeats. */
export interface LakeAccount {
  readonly manifestsRead: number;
  /** Manifests that could not be read, with why: the offsets only they list count as lost. */
  readonly unreadableManifests: readonly string[];
  readonly objects: ReadonlyMap<string, LakeObjectAccount>;
  readonly repeats: readonly RepeatedRecord[];
}

/**
 * Reads the arrival manifests (those that arrived at or after `sinceMs`, all when it is absent)
 * and every object they name, counting each object's lines.
 */
export async function readLakeAccount(s3: S3Client, bucket: string, sinceMs?: number): Promise<LakeAccount> {
  const manifestKeys = await listKeys(
    s3,
    bucket,
    ARRIVALS_PREFIX,
    sinceMs === undefined ? undefined : arrivalsListedFrom(sinceMs),
  );
  const unreadable: string[] = [];
  const read = await mapInParallel(manifestKeys, PARALLEL_READS, async (key) => {
    const body = await readObject(s3, bucket, key);
    const manifest =
      body === null
        ? { problem: 'it was deleted while the audit read the lake' }
        : checkArrivalManifest(Buffer.from(body).toString('utf8'));
    if ('problem' in manifest) {
      unreadable.push(`${key} (${manifest.problem})`);
      return null;
    }
    return manifest;
  });
  const manifests = read.filter((manifest): manifest is ArrivalManifest => manifest !== null);
  const named = new Map<string, { area: 'bronze' | 'quarantine'; offsets: readonly number[] | null }>();
  const repeats = new Map<string, RepeatedRecord>();
  for (const manifest of manifests) {
    for (const [area, keys] of [
      ['bronze', manifest.bronze],
      ['quarantine', manifest.quarantine],
    ] as const) {
      for (const key of keys) {
        const runs = manifest.records?.lines[key];
        const known = named.get(key);
        if (known === undefined || (known.offsets === null && runs !== undefined))
          named.set(key, { area, offsets: runs === undefined ? null : offsetsOfRuns(runs) });
      }
    }
    for (const repeat of manifest.records?.repeats ?? [])
      repeats.set(`${repeat.topic}+${repeat.partition}+${repeat.offset}`, repeat);
  }
  const accounts = await mapInParallel([...named], PARALLEL_READS, async ([key, { area, offsets }]) => {
    const range = parseLakeObjectKey(key);
    if (range === null) throw new Error(`an arrival manifest names ${key}, which is not a lake object name`);
    const body = await readObject(s3, bucket, key);
    const lines = body === null ? null : countLines((await gunzipAsync(body)).toString('utf8'));
    return {
      key,
      area,
      topic: range.topic,
      partition: range.partition,
      offsets,
      firstOffset: range.firstOffset,
      lastOffset: range.lastOffset,
      lines,
    };
  });
  return {
    manifestsRead: manifests.length,
    unreadableManifests: unreadable.sort(),
    objects: new Map(accounts.map((account) => [account.key, account])),
    repeats: [...repeats.values()],
  };
}

function countLines(text: string): number {
  let lines = 0;
  for (const line of text.split('\n')) if (line !== '') lines++;
  return lines;
}
