import { CreateBucketCommand, HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { localS3Credentials } from '../../local/services/endpoints.js';
import { CliError } from './cli-error.js';

/**
 * An S3 client for the command line. With `--s3-endpoint` (a local S3 server: moto, MinIO,
 * LocalStack) it uses path-style addresses and, when no AWS credentials are set, the ones every
 * local server accepts (see localS3Credentials). Without it, the AWS SDK's usual region and credential chain apply.
 */
export function s3ClientForCli(endpoint: string | undefined): S3Client {
  if (endpoint === undefined) return new S3Client({});
  if (!/^https?:\/\/[^/]+\/?$/.test(endpoint)) {
    throw new CliError(
      `--s3-endpoint "${endpoint}" is not an http(s)://host:port address`,
      'e.g. --s3-endpoint http://127.0.0.1:4566',
    );
  }
  const credentials =
    process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY ? undefined : localS3Credentials;
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials,
  });
}

/**
 * Creates the bucket unless it exists. Any other failure (no S3 there, a name S3 refuses, refused
 * credentials) is left to the CLI's one place that explains failures (failure-messages.ts).
 */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!(error instanceof S3ServiceException) || error.$metadata.httpStatusCode !== 404) throw error;
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (error instanceof S3ServiceException && error.name === 'BucketAlreadyOwnedByYou') return;
    throw error;
  }
}
