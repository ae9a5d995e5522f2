import { S3ServiceException } from '@aws-sdk/client-s3';
import { LocalServiceError } from '../../local/services/local-service-error.js';
import { CliError } from './cli-error.js';

/** What the command line said about where things are: the flags a failure message names. */
export interface FailureContext {
  readonly bucket?: string;
  readonly s3Endpoint?: string;
  readonly brokers?: string;
  readonly topic?: string;
  readonly iamRegion?: string;
  readonly warehouse?: string;
}

const CONTEXT_FLAGS = {
  bucket: '--bucket',
  s3Endpoint: '--s3-endpoint',
  brokers: '--brokers',
  topic: '--topic',
  iamRegion: '--iam-region',
  warehouse: '--warehouse',
} as const satisfies Record<keyof FailureContext, string>;

/** The flags of a command line that say where things are. */
export function failureContextOf(argv: readonly string[]): FailureContext {
  const context: Partial<Record<keyof FailureContext, string>> = {};
  for (const [key, flag] of Object.entries(CONTEXT_FLAGS) as [keyof FailureContext, string][]) {
    const inline = argv.find((arg) => arg.startsWith(`${flag}=`));
    const index = argv.indexOf(flag);
    const value =
      inline !== undefined ? inline.slice(flag.length + 1) : index >= 0 ? argv[index + 1] : undefined;
    if (value !== undefined) context[key] = value;
  }
  return context;
}

/** How long a command waits for another that has the warehouse file open; see warehouseWaitMs. */
export const WAREHOUSE_WAIT_VARIABLE = 'SPOTIFY_PIPELINE_WAREHOUSE_WAIT_SECONDS';

/**
 * The message for a bucket name S3 refuses: the same whether the command line's check or S3 itself
 * found it, so a user sees one wording.
 */
export function bucketNameRefused(bucket: string, rule: string): CliError {
  return new CliError(
    `--bucket ${bucket}: S3 refuses the name: ${rule}`,
    'choose a name such as spotify-lake',
    2,
  );
}

export const BUCKET_NAME_RULE = 'a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens';

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
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'UnrecognizedClientException',
]);
const FILE_CODES: Readonly<Record<string, string>> = {
  ENOENT: 'there is no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
};

/**
 * The one place that turns the failures a user can cause into a message and an exit code: an
 * unreachable broker or S3 endpoint, a missing or invalid bucket, missing or refused credentials,
 * an unknown topic, a local service that cannot start (its own message), a warehouse file that is locked, damaged or of a newer DuckDB, a file that
 * cannot be written. Null for anything else, which stays an unexpected failure with its stack.
 * Snowflake's refused login and unreachable account: snowflakeConnectFailure, called where the
 * secret naming the account and user is read.
 */
export function explainFailure(error: unknown, context: FailureContext): CliError | null {
  if (error instanceof LocalServiceError) return new CliError(error.message, error.hint);
  return (
    explainS3Answer(error, context) ??
    explainMissingCredentials(error, context) ??
    explainKafka(error, context) ??
    explainWarehouseFile(error, context) ??
    explainUnreachableS3(error, context) ??
    explainFileSystem(error)
  );
}

/** How Snowflake words a refused key-pair login. */
const SNOWFLAKE_LOGIN_REFUSED =
  /Incorrect username or password|JWT token is invalid|User temporarily locked/i;

/** A failed connection to Snowflake, as the account and user from the secret name it. */
export function snowflakeConnectFailure(
  error: unknown,
  settings: { readonly account: string; readonly username: string },
): CliError {
  const where = `account ${settings.account} as ${settings.username}`;
  const message = error instanceof Error ? error.message : String(error);
  if (SNOWFLAKE_LOGIN_REFUSED.test(message) || (error as { code?: unknown }).code === '390100')
    return new CliError(
      `Snowflake refused the login (${where}): ${message}`,
      "check that the secret's private_key is the key whose public half is set on that user (README: Snowflake prerequisites)",
      1,
    );
  return new CliError(
    `could not reach Snowflake (${where}): ${message}`,
    "check this machine's network path to Snowflake, and the account (and access_url, if any) in the secret",
    1,
  );
}

function s3Where(context: FailureContext): string {
  return context.s3Endpoint ?? 'AWS (no --s3-endpoint)';
}

function explainS3Answer(error: unknown, context: FailureContext): CliError | null {
  if (!(error instanceof S3ServiceException || isNamed(error, 'NoSuchBucket'))) return null;
  const { name, message } = error as Error;
  // A HEAD request's error has no body: only its status says what S3 refused.
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const bucket = context.bucket === undefined ? 'the bucket' : `--bucket ${context.bucket}`;
  if (name === 'NoSuchBucket' || (name === 'NotFound' && status === 404))
    return new CliError(
      `${bucket}: there is no such bucket on ${s3Where(context)}`,
      'check the name (spotify-pipeline consume creates the lake bucket when it first writes)',
      1,
    );
  if (name === 'InvalidBucketName') return bucketNameRefused(context.bucket ?? '', BUCKET_NAME_RULE);
  if (name === 'AccessDenied' || name === 'Forbidden' || CREDENTIAL_ERRORS.has(name) || status === 403)
    return new CliError(
      `${s3Where(context)} refused the request for ${bucket} (${name === 'Unknown' || !message ? `HTTP ${status}` : `${name}: ${message}`})`,
      'check the AWS credentials in use (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that they may use that bucket',
      1,
    );
  return null;
}

function explainMissingCredentials(error: unknown, context: FailureContext): CliError | null {
  if (!isNamed(error, 'CredentialsProviderError')) return null;
  const needs = [
    ...(context.s3Endpoint === undefined && context.bucket !== undefined ? ['S3 on AWS'] : []),
    ...(context.iamRegion === undefined ? [] : [`Amazon MSK in ${context.iamRegion}`]),
  ];
  return new CliError(
    `no AWS credentials were found${needs.length === 0 ? '' : ` to reach ${needs.join(' and ')}`}`,
    'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or give --s3-endpoint for a local S3 server',
    1,
  );
}

function explainKafka(error: unknown, context: FailureContext): CliError | null {
  if (!(error instanceof Error && error.name.startsWith('KafkaJS'))) return null;
  const detail = causeChain(error);
  const brokers = context.brokers ?? '';
  if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/i.test(detail))
    return unknownTopic(context.topic);
  if (error.name === 'KafkaJSSASLAuthenticationError' || /SASL|authentication failed/i.test(detail))
    return new CliError(
      `the Kafka brokers ${brokers} refused the login (${detail})`.replace('  ', ' '),
      'check the AWS credentials in use and that their role may connect to the cluster (kafka-cluster:Connect), and --iam-region',
      1,
    );
  return new CliError(
    `cannot reach the Kafka brokers ${brokers} (${detail})`.replace('  ', ' '),
    context.iamRegion === undefined
      ? 'check --brokers: spotify-pipeline local status shows the local broker; start it with spotify-pipeline local up'
      : "check --brokers and --iam-region: MSK's IAM listener is on port 9098 (or 9198 from outside the VPC)",
    1,
  );
}

/** An unknown topic, however it was found (a broker's answer, or a listing of the topics). */
export function unknownTopic(topic: string | undefined): CliError {
  return new CliError(
    `${topic === undefined ? 'the topic' : `--topic ${topic}`}: the brokers have no such topic`,
    'check the name, or produce to it first (spotify-pipeline produce creates it)',
    1,
  );
}

/** A file given as the warehouse that does not begin as a DuckDB database does. */
export class NotADuckDbFileError extends Error {
  override readonly name = 'NotADuckDbFileError';
  constructor(path: string) {
    super(`The file "${path}" exists, but it does not begin with a DuckDB header`);
  }
}

/** DuckDB says which of these it is only in its message. */
const DUCKDB_NEWER_FILE = /version number (\d+), but we can only read versions? (?:between \d+ and )?(\d+)/;
const DUCKDB_NOT_A_DATABASE =
  /not a valid DuckDB database file|Corrupt database file|checksum .* does not match/i;
const DUCKDB_LOCKED = /Could not set lock on file/;

function explainWarehouseFile(error: unknown, context: FailureContext): CliError | null {
  if (!(error instanceof Error)) return null;
  const flag = `--warehouse ${context.warehouse ?? ''}`.trimEnd();
  const file = /"([^"]+)"/.exec(error.message)?.[1] ?? context.warehouse?.replace(/^duckdb:/, '') ?? '';
  const rebuild =
    'the lake keeps every event: move the file aside and rebuild the warehouse with spotify-pipeline run';
  if (error.name === 'WarehouseFileLockedError' || DUCKDB_LOCKED.test(error.message))
    return new CliError(
      `${flag}: the warehouse file is in use: ${error.message.split('\n')[0]}`,
      `wait for that command to finish (or stop it), then run this one again; ${WAREHOUSE_WAIT_VARIABLE} sets how long a command waits for the file`,
      1,
    );
  const newer = DUCKDB_NEWER_FILE.exec(error.message);
  if (newer)
    return new CliError(
      `${flag}: ${file} was written by a newer DuckDB (storage version ${newer[1]}; this spotify-pipeline reads up to ${newer[2]})`,
      `upgrade spotify-pipeline to the version that wrote it, or ${rebuild.replace('move the file aside and ', 'give another path and ')}`,
      1,
    );
  if (error instanceof NotADuckDbFileError || DUCKDB_NOT_A_DATABASE.test(error.message))
    return new CliError(
      `${flag}: ${file} is not a DuckDB database, or it is damaged (${error.message.split('\n')[0]})`,
      `check the path (the warehouse the loader writes); if the file is damaged, ${rebuild}`,
      1,
    );
  return null;
}

function explainUnreachableS3(error: unknown, context: FailureContext): CliError | null {
  const network = networkCodeOf(error);
  if (network === undefined) return null;
  return new CliError(
    `cannot reach S3 at ${s3Where(context)} (${network.code}${network.host === undefined ? '' : ` ${network.host}`})`,
    context.s3Endpoint === undefined
      ? 'without --s3-endpoint the command goes to AWS: check the network and region, or give --s3-endpoint for a local S3 server'
      : 'start the local services with: spotify-pipeline local up (spotify-pipeline local status shows them)',
    1,
  );
}

function explainFileSystem(error: unknown): CliError | null {
  const { code, path, syscall } = (error ?? {}) as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof code !== 'string' || typeof path !== 'string' || FILE_CODES[code] === undefined) return null;
  const verb = /open|write|mkdir|rename|copy|unlink/.test(String(syscall)) ? 'write or read' : 'use';
  return new CliError(
    `cannot ${verb} ${path}: ${FILE_CODES[code]}`,
    'give a path in a folder that exists and that you can write to',
    1,
  );
}

/** A file a flag names that cannot be written (`--out`): the same words for every command. */
export function cannotWrite(flag: string, path: string, error: unknown): CliError {
  const code = String((error as { code?: unknown }).code ?? 'error');
  const reason = FILE_CODES[code];
  return new CliError(
    `cannot write ${flag} ${path} (${code})${reason === undefined ? '' : `: ${reason}`}`,
    'give a path in a folder that exists and that you can write to',
    2,
  );
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
