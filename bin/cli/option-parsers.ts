import { parseBrokerList } from '../../lambdas/shared/kafka/kafka-connection.js';
import type { OffsetRange } from '../../lambdas/shared/lake/lake-layout.js';
import { CliError } from './cli-error.js';
import { BUCKET_NAME_RULE, bucketNameRefused } from './failure-messages.js';

/** A whole, non-negative number given on the command line; `1_000_000` and `1,000,000` are accepted. */
export function parseWholeNumber(flag: string, text: string): number {
  const cleaned = text.replace(/[_,]/g, '');
  if (!/^\d+$/.test(cleaned) || !Number.isSafeInteger(Number(cleaned))) {
    throw new CliError(`${flag} "${text}" is not a whole number`, `give digits only, e.g. ${flag} 1000`);
  }
  return Number(cleaned);
}

/** A share from 0 to 1 given on the command line. */
export function parseShare(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new CliError(`${flag} "${text}" is not a share from 0 to 1`, `e.g. ${flag} 0.05 for 5%`);
  }
  return value;
}

/**
 * A bucket name as S3 accepts it for a general-purpose bucket (the naming rules of the S3 user
 * guide), checked before any request so that the answer does not depend on which S3 server is
 * asked: some answer a bad name on a read with NoSuchBucket.
 */
export function parseBucketName(text: string): string {
  const refuse = (rule: string) => {
    throw bucketNameRefused(text, rule);
  };
  if (text.length < 3 || text.length > 63 || !/^[a-z0-9.-]+$/.test(text)) refuse(BUCKET_NAME_RULE);
  if (!/^[a-z0-9]/.test(text) || !/[a-z0-9]$/.test(text))
    refuse('a bucket name begins and ends with a letter or a digit');
  if (text.includes('..')) refuse('a bucket name has no two dots in a row');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) refuse('a bucket name is not an IP address');
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(text) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(text))
    refuse('that prefix or suffix is reserved by S3');
  return text;
}

/** `--brokers host:port[,host:port...]`. */
export function parseBrokersFlag(text: string): string[] {
  try {
    return parseBrokerList(text);
  } catch (error) {
    throw new CliError(
      `--brokers: ${(error as Error).message}`,
      'e.g. --brokers 127.0.0.1:9092 (spotify-pipeline local status shows it)',
    );
  }
}

/**
 * `--offsets <topic>:<partition>:<first>-<last>` (or `:<offset>` for one), as the audit names a lost
 * range (its thousands separators accepted): topic names hold no ":" (Kafka allows letters,
 * digits, ".", "_" and "-").
 */
export function parseOffsetRange(text: string): OffsetRange {
  const [topic = '', partition = '', offsets = '', ...rest] = text.split(':');
  const numbers = /^(\d+)(?:-(\d+))?$/.exec(offsets.replace(/[_,]/g, ''));
  const first = Number(numbers?.[1]);
  const last = numbers?.[2] === undefined ? first : Number(numbers[2]);
  if (
    rest.length > 0 ||
    !/^[a-zA-Z0-9._-]{1,249}$/.test(topic) ||
    !/^\d+$/.test(partition) ||
    numbers === null ||
    !Number.isSafeInteger(last) ||
    last < first
  )
    throw new CliError(
      `--offsets "${text}" is not <topic>:<partition>:<first offset>-<last offset>`,
      'e.g. --offsets spotify-events:0:1200-1350, the first offset not after the last (the audit lists lost ranges so)',
    );
  return { topic, partition: Number(partition), firstOffset: first, lastOffset: last };
}
