import type { OffsetRange } from '../shared/lake/lake-layout.js';
import type { MskEvent, MskRecord } from './msk-event.js';

/**
 * What Lambda writes to an S3 on-failure destination for a batch its Kafka event source (Amazon
 * MSK or self-managed Apache Kafka) gave up on, after the retries or the maximum record age: one
 * JSON document per batch,
 *
 * ```json
 * {
 *   "requestContext": { "requestId": "…", "functionArn": "…", "condition": "RetryAttemptsExhausted",
 *                       "approximateInvokeCount": 4 },
 *   "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
 *   "version": "1.0",
 *   "timestamp": "2026-01-01T10:00:06.021Z",
 *   "KafkaBatchInfo": {
 *     "batchSize": 500, "eventSourceArn": "arn:aws:kafka:…", "bootstrapServers": "…", "payloadSize": 2039086,
 *     "recordsInfo": {
 *       "spotify-events-0": { "firstRecordOffset": "4211", "lastRecordOffset": "4710",
 *                             "firstRecordTimestamp": "…", "lastRecordTimestamp": "…" }
 *     }
 *   },
 *   "payload": "<the invocation's event, as an escaped JSON string>"
 * }
 * ```
 *
 * `recordsInfo` is keyed `<topic>-<partition>`; `responseContext` is null when the condition is
 * `MaximumPayloadSizeExceeded`; `payload` is sent to S3 destinations only (SNS and SQS get the rest).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 */
export interface FailedBatchRecord {
  /** Why Lambda gave up: `RetryAttemptsExhausted`, `MaximumPayloadSizeExceeded`, … */
  readonly condition: string;
  /** When Lambda gave up, as the record says (ISO-8601). */
  readonly failedAt: string;
  readonly eventSourceArn: string | null;
  /** Records in the batch, as Lambda counted them. */
  readonly batchSize: number;
  /** The offsets of the batch, one range per topic partition, sorted by topic and partition. */
  readonly ranges: readonly OffsetRange[];
  /** The batch exactly as it was delivered to the function; null when the record does not carry it. */
  readonly payload: MskEvent | null;
}

/** The document versions this parser reads: 1.0, and any 1.x that only adds fields. */
const KNOWN_VERSION = /^1(\.\d+)*$/;
const RECORDS_INFO_KEY = /^(.+)-(\d+)$/;
const DIGITS = /^\d+$/;

/**
 * A failure record's JSON, checked: what it names, or why it cannot be used. The reason begins with
 * the object's key, so that a report of several can say which is which. Never throws.
 */
export function parseFailedBatchRecord(key: string, text: string): FailedBatchRecord | { problem: string } {
  const refuse = (problem: string) => ({ problem: `${key}: ${problem}` });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return refuse(`it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(document)) return refuse('it is not a JSON object');
  if (document.KafkaBatchInfo === undefined) {
    const other = ['KinesisBatchInfo', 'DDBStreamBatchInfo'].find((field) => field in document);
    return refuse(
      other === undefined
        ? 'it has no "KafkaBatchInfo": not a failure record of a Kafka event source'
        : `it has "${other}", not "KafkaBatchInfo": the failure record of another kind of event source`,
    );
  }
  if (typeof document.version !== 'string' || !KNOWN_VERSION.test(document.version))
    return refuse(`its "version" is ${JSON.stringify(document.version)}; this replay reads version 1.0`);
  if (typeof document.timestamp !== 'string' || Number.isNaN(Date.parse(document.timestamp)))
    return refuse(`its "timestamp" ${JSON.stringify(document.timestamp)} is not a time`);
  const context = document.requestContext;
  if (!isObject(context) || typeof context.condition !== 'string' || context.condition === '')
    return refuse('"requestContext.condition" is missing: why Lambda gave up on the batch');
  if (
    document.responseContext !== undefined &&
    document.responseContext !== null &&
    !isObject(document.responseContext)
  )
    return refuse('"responseContext" is neither an object nor null');

  const info = document.KafkaBatchInfo;
  if (!isObject(info)) return refuse('"KafkaBatchInfo" is not an object');
  if (!Number.isSafeInteger(info.batchSize) || (info.batchSize as number) < 1)
    return refuse(`"KafkaBatchInfo.batchSize" ${JSON.stringify(info.batchSize)} is not a count of records`);
  if (info.eventSourceArn !== undefined && typeof info.eventSourceArn !== 'string')
    return refuse('"KafkaBatchInfo.eventSourceArn" is not a string');
  const ranges = rangesOf(info.recordsInfo);
  if ('problem' in ranges) return refuse(`"KafkaBatchInfo.recordsInfo" ${ranges.problem}`);
  const span = ranges.reduce((total, range) => total + range.lastOffset - range.firstOffset + 1, 0);
  if ((info.batchSize as number) > span)
    return refuse(
      `"KafkaBatchInfo.batchSize" is ${info.batchSize}, more than the ${span} offsets "recordsInfo" spans`,
    );

  let payload: MskEvent | null = null;
  if (document.payload !== undefined && document.payload !== null) {
    const checked = payloadOf(document.payload, ranges);
    if ('problem' in checked) return refuse(`"payload" ${checked.problem}`);
    payload = checked;
  }
  return {
    condition: context.condition,
    failedAt: document.timestamp,
    eventSourceArn: typeof info.eventSourceArn === 'string' ? info.eventSourceArn : null,
    batchSize: info.batchSize as number,
    ranges,
    payload,
  };
}

function rangesOf(recordsInfo: unknown): OffsetRange[] | { problem: string } {
  if (!isObject(recordsInfo))
    return { problem: 'is missing: a Kafka failure record names its offsets there' };
  const ranges: OffsetRange[] = [];
  for (const [name, info] of Object.entries(recordsInfo)) {
    // Topic names may hold hyphens; the partition is what follows the last one.
    const match = RECORDS_INFO_KEY.exec(name);
    if (match === null) return { problem: `has "${name}", which is not <topic>-<partition>` };
    if (!isObject(info)) return { problem: `"${name}" is not an object` };
    const first = offsetOf(info.firstRecordOffset);
    const last = offsetOf(info.lastRecordOffset);
    if (typeof first === 'string') return { problem: `"${name}".firstRecordOffset ${first}` };
    if (typeof last === 'string') return { problem: `"${name}".lastRecordOffset ${last}` };
    if (first > last)
      return {
        problem: `"${name}" runs backwards: firstRecordOffset ${first} is after lastRecordOffset ${last}`,
      };
    const partition = Number(match[2]);
    if (!Number.isSafeInteger(partition)) return { problem: `"${name}" names no partition Kafka could have` };
    ranges.push({ topic: match[1]!, partition, firstOffset: first, lastOffset: last });
  }
  if (ranges.length === 0) return { problem: 'is empty: it names no offsets' };
  return ranges.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * An offset as the record writes it: a string of digits (Lambda's form) or a whole number. Kafka's
 * offsets are 64-bit; beyond 2^53 they cannot be held exactly here, and are refused rather than rounded.
 */
function offsetOf(value: unknown): number | string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !DIGITS.test(text))
    return `${JSON.stringify(value)} is not an offset (a whole number, as a string of digits)`;
  const offset = Number(text);
  if (!Number.isSafeInteger(offset))
    return `${text} is beyond the offsets this replay can hold exactly (2^53)`;
  return offset;
}

/** The payload (an escaped JSON string, as Lambda writes it, or the object itself), checked against the ranges. */
function payloadOf(value: unknown, ranges: readonly OffsetRange[]): MskEvent | { problem: string } {
  let event: unknown = value;
  if (typeof value === 'string') {
    try {
      event = JSON.parse(value);
    } catch (error) {
      return { problem: `is not JSON (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (!isObject(event) || !isObject(event.records))
    return { problem: 'is not an event of the Kafka event source: it has no "records"' };
  const records: Record<string, MskRecord[]> = {};
  for (const [group, list] of Object.entries(event.records)) {
    if (!Array.isArray(list)) return { problem: `"records.${group}" is not a list` };
    const checked: MskRecord[] = [];
    for (const [index, item] of list.entries()) {
      const record = mskRecordOf(item);
      const where = `"records.${group}[${index}]"`;
      if (typeof record === 'string') return { problem: `${where} ${record}` };
      if (`${record.topic}-${record.partition}` !== group)
        return { problem: `${where} is of ${record.topic}-${record.partition}, not of its group` };
      const range = ranges.find((r) => r.topic === record.topic && r.partition === record.partition);
      if (range === undefined || record.offset < range.firstOffset || record.offset > range.lastOffset)
        return {
          problem: `${where} has offset ${record.offset} of ${group}, outside the offsets "recordsInfo" names`,
        };
      checked.push(record);
    }
    records[group] = checked.sort((a, b) => a.offset - b.offset);
  }
  const source = event.eventSource === 'SelfManagedKafka' ? 'SelfManagedKafka' : 'aws:kafka';
  return {
    eventSource: source,
    ...(typeof event.eventSourceArn === 'string' ? { eventSourceArn: event.eventSourceArn } : {}),
    ...(typeof event.bootstrapServers === 'string' ? { bootstrapServers: event.bootstrapServers } : {}),
    records,
  };
}

/** A record of the payload as MskRecord, or what is wrong with it. A null key or value is an absent one. */
function mskRecordOf(item: unknown): MskRecord | string {
  if (!isObject(item)) return 'is not an object';
  const { topic, partition, offset, timestamp, timestampType, key, value, headers } = item;
  if (typeof topic !== 'string' || topic === '') return 'has no topic';
  if (!isWholeNumber(partition)) return 'has no partition';
  if (!isWholeNumber(offset)) return 'has no offset';
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return 'has no timestamp';
  if (timestampType !== 'CREATE_TIME' && timestampType !== 'LOG_APPEND_TIME')
    return `has timestampType ${JSON.stringify(timestampType)}, not CREATE_TIME or LOG_APPEND_TIME`;
  if (key !== undefined && key !== null && typeof key !== 'string')
    return 'has a key that is not base64 text';
  if (value !== undefined && value !== null && typeof value !== 'string')
    return 'has a value that is not base64 text';
  if (
    !Array.isArray(headers) ||
    !headers.every(
      (header) =>
        isObject(header) &&
        Object.values(header).every((bytes) => Array.isArray(bytes) && bytes.every(Number.isInteger)),
    )
  )
    return 'has headers that are not a list of {name: [bytes]}';
  return {
    topic,
    partition,
    offset,
    timestamp,
    timestampType,
    ...(typeof key === 'string' ? { key } : {}),
    ...(typeof value === 'string' ? { value } : {}),
    headers: headers as Record<string, number[]>[],
  };
}

function isWholeNumber(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
