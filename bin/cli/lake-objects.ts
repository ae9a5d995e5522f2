import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';

/** Lake objects fetched at once by the commands that read the lake (dashboard, audit). */
export const PARALLEL_READS = 16;

/** Every key under `prefix` (after `startAfter`, when given), sorted. */
export async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  startAfter?: string,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token,
        ...(token === undefined && startAfter !== undefined ? { StartAfter: startAfter } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** The folders directly under `prefix` (`…/date=2026-01-01/`), sorted. */
export async function listFolders(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
    );
    for (const folder of page.CommonPrefixes ?? []) if (folder.Prefix) folders.push(folder.Prefix);
    token = page.NextContinuationToken;
  } while (token);
  return folders.sort();
}

/** The object's bytes, or null when there is no such object. */
export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Uint8Array | null> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    if (error instanceof NoSuchKey) return null;
    throw error;
  }
}
