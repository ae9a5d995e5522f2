import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { QuarantinedRecord } from '../../lambdas/consumer/plan-lake-writes.js';
import type { ListeningEvent } from '../../lambdas/shared/event-contract/listening-event.js';
import {
  ARRIVALS_PREFIX,
  type ArrivalManifest,
  BRONZE_PREFIX,
  QUARANTINE_PREFIX,
} from '../../lambdas/shared/lake/lake-layout.js';

export interface LakeContents {
  /** The data objects' keys (bronze/ and quarantine/). */
  readonly keys: readonly string[];
  /** The arrival manifests under arrivals/, as written. */
  readonly arrivals: readonly { readonly key: string; readonly manifest: ArrivalManifest }[];
  /** Every bronze line, with the key of the object that holds it. */
  readonly bronze: readonly { readonly key: string; readonly event: ListeningEvent }[];
  readonly quarantine: readonly { readonly key: string; readonly record: QuarantinedRecord }[];
}

/** Reads every data object and arrival manifest of the bucket back, as a person checking the lake would. */
export async function readLake(s3: S3Client, bucket: string): Promise<LakeContents> {
  const keys: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: continuationToken }),
    );
    for (const item of page.Contents ?? []) keys.push(item.Key!);
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);

  const bronze: { key: string; event: ListeningEvent }[] = [];
  const quarantine: { key: string; record: QuarantinedRecord }[] = [];
  const arrivals: { key: string; manifest: ArrivalManifest }[] = [];
  for (const key of keys) {
    // Failure records under aws/lambda/ and replay markers under replays/ are in the bucket too: no data.
    if (!key.startsWith(ARRIVALS_PREFIX) && !isDataKey(key)) continue;
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (key.startsWith(ARRIVALS_PREFIX)) {
      arrivals.push({ key, manifest: JSON.parse(await object.Body!.transformToString()) });
      continue;
    }
    const text = gunzipSync(Buffer.from(await object.Body!.transformToByteArray())).toString('utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (key.startsWith(BRONZE_PREFIX)) bronze.push({ key, event: JSON.parse(line) });
      else quarantine.push({ key, record: JSON.parse(line) });
    }
  }
  return { keys: keys.filter(isDataKey), arrivals, bronze, quarantine };
}

function isDataKey(key: string): boolean {
  return key.startsWith(BRONZE_PREFIX) || key.startsWith(QUARANTINE_PREFIX);
}

/** How many times each value occurs. */
export function occurrences(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
