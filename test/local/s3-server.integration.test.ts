import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { localS3, uniqueName } from '../support/local-clients.js';

describe('the local S3 server (moto) with @aws-sdk/client-s3', () => {
  let s3: S3Client;
  const bucketsCreated: string[] = [];

  beforeAll(() => {
    s3 = localS3();
  });

  afterAll(async () => {
    for (const bucket of bucketsCreated) await emptyAndDeleteBucket(s3, bucket);
    s3.destroy();
  });

  async function createBucket(): Promise<string> {
    const bucket = uniqueName('local-s3-test');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    bucketsCreated.push(bucket);
    return bucket;
  }

  test('stores objects and lists and returns them with their content and metadata', async () => {
    // Prepare
    const bucket = await createBucket();
    const events = [
      { key: 'bronze/date=2024-05-01/part-0001.ndjson', body: '{"trackId":"t1"}\n{"trackId":"t2"}\n' },
      { key: 'bronze/date=2024-05-02/part-0001.ndjson', body: '{"trackId":"t3"}\n' },
      { key: 'quarantine/date=2024-05-01/part-0001.ndjson', body: '{"reason":"no timestamp"}\n' },
    ];

    // Act
    for (const { key, body } of events) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }),
      );
    }
    const bronze = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'bronze/' }));
    const fetched = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: events[0]!.key }));

    // Assess
    expect(bronze.KeyCount).toBe(2);
    expect(bronze.Contents?.map((object) => object.Key)).toEqual([events[0]!.key, events[1]!.key]);
    expect(bronze.Contents?.map((object) => object.Size)).toEqual([
      Buffer.byteLength(events[0]!.body),
      Buffer.byteLength(events[1]!.body),
    ]);
    expect(await fetched.Body?.transformToString()).toBe(events[0]!.body);
    expect(fetched.ContentType).toBe('application/x-ndjson');
  });

  test('pages ListObjectsV2 with continuation tokens: every key once, in key order', async () => {
    // Prepare
    const bucket = await createBucket();
    const keys = Array.from(
      { length: 23 },
      (_, index) => `bronze/part-${String(index).padStart(4, '0')}.ndjson`,
    );
    await putObjectsNamedAfterTheirKeys(s3, bucket, keys);

    // Act
    const pages = await listAllPages(s3, bucket, 5);

    // Assess
    expect(pages.map((page) => page.KeyCount)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.map((page) => page.IsTruncated)).toEqual([true, true, true, true, false]);
    expect(pages.flatMap((page) => page.Contents?.map((object) => object.Key) ?? [])).toEqual(keys);
  });

  test('returns at most 1000 keys per page when the caller sets no MaxKeys', async () => {
    // Prepare: more keys than one default page holds.
    const bucket = await createBucket();
    const keys = Array.from({ length: 1003 }, (_, index) => `events/${String(index).padStart(5, '0')}.json`);
    await putObjectsNamedAfterTheirKeys(s3, bucket, keys);

    // Act
    const pages = await listAllPages(s3, bucket, undefined);

    // Assess
    expect(pages.map((page) => page.KeyCount)).toEqual([1000, 3]);
    expect(pages[0]?.IsTruncated).toBe(true);
    expect(new Set(pages.flatMap((page) => page.Contents?.map((object) => object.Key) ?? []))).toEqual(
      new Set(keys),
    );
  });

  test('refuses a conditional write (If-None-Match: *) on an existing key with 412, keeping the first object', async () => {
    // Prepare
    const bucket = await createBucket();
    const key = 'loads/ledger/part-0001.ndjson';
    const firstWrite = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first', IfNoneMatch: '*' }),
    );

    // Act
    const secondWrite = s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second', IfNoneMatch: '*' }),
    );

    // Assess
    expect(firstWrite.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const failure = await secondWrite.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(S3ServiceException);
    expect((failure as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect((failure as S3ServiceException).name).toBe('PreconditionFailed');
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await stored.Body?.transformToString()).toBe('first');
  });
});

/**
 * Puts one small object per key (its body is the key), a few at a time: enough parallelism to be
 * quick, not enough to swamp moto.
 */
async function putObjectsNamedAfterTheirKeys(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
): Promise<void> {
  const parallelRequests = 16;
  for (let start = 0; start < keys.length; start += parallelRequests) {
    await Promise.all(
      keys
        .slice(start, start + parallelRequests)
        .map((key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }))),
    );
  }
}

async function listAllPages(
  s3: S3Client,
  bucket: string,
  maxKeys: number | undefined,
): Promise<ListObjectsV2CommandOutput[]> {
  const pages: ListObjectsV2CommandOutput[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, MaxKeys: maxKeys, ContinuationToken: continuationToken }),
    );
    pages.push(page);
    continuationToken = page.NextContinuationToken;
  } while (continuationToken !== undefined);
  return pages;
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (const page of await listAllPages(s3, bucket, undefined)) {
    const objects = (page.Contents ?? []).map((object) => ({ Key: object.Key }));
    if (objects.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
