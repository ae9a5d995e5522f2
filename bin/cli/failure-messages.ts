import { S3ServiceException } from '@aws-sdk/client-s3';
import { CliError } from './cli-error.js';

/** What the command line said about where things are: the flags a failure message names. */
export interface FailureContext {
  readonly bucket?: string;
  readonly s3Endpoint?: string;
  readonly brokers?: string;
  readonly topic?: string;
}

/** The flags of a command line that say where things are. */
export function failureContextOf(argv: readonly string[]): FailureContext {
  const flag = (name: string) => {
    const index = argv.indexOf(name);
    const inline = argv.find((arg) => arg.startsWith(`${name}=`));
    if (inline !== undefined) return inline.slice(name.length + 1);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  return {
    ...(flag('--bucket') === undefined ? {} : { bucket: flag('--bucket')! }),
    ...(flag('--s3-endpoint') === undefined ? {} : { s3Endpoint: flag('--s3-endpoint')! }),
    ...(flag('--brokers') === undefined ? {} : { brokers: flag('--brokers')! }),
    ...(flag('--topic') === undefined ? {} : { topic: flag('--topic')! }),
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);
const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'UnrecognizedClientException',
]);

/**
 * The one place that turns the failures a user can cause into a message and an exit code: an
 * unreachable broker or S3 endpoint, a missing or invalid bucket, missing or refused credentials.
 * Null for anything else, which stays an unexpected failure with its stack.
 */
export function explainFailure(error: unknown, context: FailureContext): CliError | null {
  const s3 = context.s3Endpoint ?? 'AWS (no --s3-endpoint)';
  const bucket = context.bucket === undefined ? 'the bucket' : `--bucket ${context.bucket}`;
  if (error instanceof S3ServiceException || isNamed(error, 'NoSuchBucket')) {
    const name = (error as Error).name;
    if (name === 'NoSuchBucket')
      return new CliError(
        `${bucket}: there is no such bucket on ${s3}`,
        'check the name (spotify-pipeline consume creates the lake bucket when it first writes)',
        1,
      );
    if (name === 'InvalidBucketName')
      return new CliError(
        `${bucket}: S3 refuses the name: a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens`,
        'choose a name such as spotify-lake',
        2,
      );
    if (name === 'AccessDenied' || name === 'Forbidden' || CREDENTIAL_ERRORS.has(name))
      return new CliError(
        `${s3} refused the request for ${bucket} (${name}: ${(error as Error).message})`,
        'check the AWS credentials in use (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that they may use that bucket',
        1,
      );
  }
  if (isNamed(error, 'CredentialsProviderError'))
    return new CliError(
      `no AWS credentials were found to reach ${s3}`,
      'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or give --s3-endpoint for a local S3 server',
      1,
    );
  if (error instanceof Error && error.name.startsWith('KafkaJS')) {
    const detail = causeChain(error);
    if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/i.test(detail))
      return new CliError(
        `${context.topic === undefined ? 'the topic' : `--topic ${context.topic}`}: the brokers have no such topic`,
        'check the name, or produce to it first (spotify-pipeline produce creates it)',
        1,
      );
    return new CliError(
      `cannot reach the Kafka brokers ${context.brokers ?? ''} (${detail})`.replace('  ', ' '),
      'check --brokers: spotify-pipeline local status shows the local broker; start it with spotify-pipeline local up',
      1,
    );
  }
  const network = networkCodeOf(error);
  if (network !== undefined)
    return new CliError(
      `cannot reach S3 at ${s3} (${network.code}${network.host === undefined ? '' : ` ${network.host}`})`,
      context.s3Endpoint === undefined
        ? 'without --s3-endpoint the command goes to AWS: check the network and region, or give --s3-endpoint for a local S3 server'
        : 'start the local services with: spotify-pipeline local up (spotify-pipeline local status shows them)',
      1,
    );
  return null;
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/** The messages of an error and its causes, joined. */
function causeChain(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 5) {
    if (
      current.message &&
      !parts.some((part) => part.includes(current instanceof Error ? current.message : ''))
    )
      parts.push(current.message);
    current =
      (current as { cause?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return parts.join(': ') || error.name;
}

/** A network failure's code and host, from the error or its causes. */
function networkCodeOf(error: unknown): { code: string; host?: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const { code, hostname, address } = current as { code?: unknown; hostname?: unknown; address?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      const host =
        typeof hostname === 'string' ? hostname : typeof address === 'string' ? address : undefined;
      return host === undefined ? { code } : { code, host };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
