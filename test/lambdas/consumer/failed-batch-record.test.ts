import { describe, expect, it } from 'vitest';
import {
  type FailedBatchRecord,
  parseFailedBatchRecord,
} from '../../../lambdas/consumer/failed-batch-record.js';
import { aKafkaFailureRecord } from '../../support/failed-batch-record-factory.js';
import { anMskRecord } from '../../support/msk-event-factory.js';

const KEY =
  'aws/lambda/f89f8514-cdd9-4602-9e1f-01a5b77d449b/spotify-events-0/2026/01/01/2026-01-01T10.00.06-0c9d3b6e-2f1a-4e5b-8c7d-6a5b4c3d2e1f';

/** The first record of the example's payload, with a key, a value and a header. */
const FIRST_RECORD = {
  topic: 'spotify-events',
  partition: 0,
  offset: 4211,
  timestamp: 1573691884835,
  timestampType: 'CREATE_TIME',
  key: 'dXNlcl8wMDAwMDE=',
  value: 'eyJldmVudF9pZCI6IjEifQ==',
  headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
};

/**
 * AWS's "S3 destination example invocation record" for a Kafka event source (kafka-on-failure.html),
 * with Kafka offsets where the page's example has Kinesis-sized sequence numbers, its `|` between
 * the two conditions resolved, and a payload as Lambda sends it: the invocation event as an escaped
 * JSON string.
 */
const AS_AWS_DOCUMENTS_IT = `{
    "requestContext": {
        "requestId": "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:myfunction",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 1
    },
    "responseContext": {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled"
    },
    "version": "1.0",
    "timestamp": "2019-11-14T00:38:06.021Z",
    "KafkaBatchInfo": {
        "batchSize": 3,
        "eventSourceArn": "arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2",
        "bootstrapServers": "b-1.demo.abc123.c1.kafka.us-east-1.amazonaws.com:9098",
        "payloadSize": 2039086,
        "recordsInfo": {
            "spotify-events-0": {
                "firstRecordOffset": "4211",
                "lastRecordOffset": "4212",
                "firstRecordTimestamp": "2019-11-14T00:38:04.835Z",
                "lastRecordTimestamp": "2019-11-14T00:38:05.580Z"
            },
            "spotify-events-1": {
                "firstRecordOffset": "17",
                "lastRecordOffset": "17",
                "firstRecordTimestamp": "2019-11-14T00:38:05.001Z",
                "lastRecordTimestamp": "2019-11-14T00:38:05.001Z"
            }
        }
    },
    "payload": ${JSON.stringify(
      JSON.stringify({
        eventSource: 'aws:kafka',
        eventSourceArn:
          'arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
        bootstrapServers: 'b-1.demo.abc123.c1.kafka.us-east-1.amazonaws.com:9098',
        records: {
          'spotify-events-0': [
            FIRST_RECORD,
            {
              topic: 'spotify-events',
              partition: 0,
              offset: 4212,
              timestamp: 1573691885580,
              timestampType: 'CREATE_TIME',
              value: 'eyJldmVudF9pZCI6IjIifQ==',
              headers: [],
            },
          ],
          'spotify-events-1': [
            {
              topic: 'spotify-events',
              partition: 1,
              offset: 17,
              timestamp: 1573691885001,
              timestampType: 'LOG_APPEND_TIME',
              key: null,
              value: null,
              headers: [],
            },
          ],
        },
      }),
    )}
}`;

function parsed(text: string): FailedBatchRecord {
  const result = parseFailedBatchRecord(KEY, text);
  if ('problem' in result) throw new Error(result.problem);
  return result;
}

function refused(document: unknown): string {
  const result = parseFailedBatchRecord(
    KEY,
    typeof document === 'string' ? document : JSON.stringify(document),
  );
  if (!('problem' in result)) throw new Error('the record was accepted');
  return result.problem;
}

/** The documented record's fields the damaged ones below change. */
interface RecordDocument {
  version?: string;
  timestamp?: string;
  payload?: unknown;
  requestContext: { condition?: string };
  responseContext: unknown;
  KafkaBatchInfo?: {
    batchSize: number;
    recordsInfo?: Record<string, { firstRecordOffset?: unknown; lastRecordOffset?: unknown }>;
  };
}

/** The documented record as an object, with `change` applied: the base of each damaged one. */
function documented(change: (document: RecordDocument) => void): RecordDocument {
  const document = JSON.parse(AS_AWS_DOCUMENTS_IT);
  change(document);
  return document;
}

describe('parseFailedBatchRecord', () => {
  it('GIVEN the record as AWS documents it for an S3 destination THEN it reads the condition, the offsets per topic partition and the batch from the payload', () => {
    // Act
    const record = parsed(AS_AWS_DOCUMENTS_IT);

    // Assess
    expect(record.condition).toBe('RetryAttemptsExhausted');
    expect(record.failedAt).toBe('2019-11-14T00:38:06.021Z');
    expect(record.batchSize).toBe(3);
    expect(record.eventSourceArn).toMatch(/^arn:aws:kafka:us-east-1:/);
    expect(record.ranges).toEqual([
      { topic: 'spotify-events', partition: 0, firstOffset: 4211, lastOffset: 4212 },
      { topic: 'spotify-events', partition: 1, firstOffset: 17, lastOffset: 17 },
    ]);
    expect(record.payload?.eventSource).toBe('aws:kafka');
    expect(record.payload?.records['spotify-events-0']?.map((item) => item.offset)).toEqual([4211, 4212]);
    // A record is read as Lambda wrote it, every field kept.
    expect(record.payload?.records['spotify-events-0']?.[0]).toEqual(FIRST_RECORD);
    // A null key and value are a record without them, as the consumer's MskRecord has it.
    expect(record.payload?.records['spotify-events-1']?.[0]).toEqual({
      topic: 'spotify-events',
      partition: 1,
      offset: 17,
      timestamp: 1573691885001,
      timestampType: 'LOG_APPEND_TIME',
      headers: [],
    });
  });

  it('GIVEN a record without payload (as SNS and SQS get it) or for an oversized batch THEN it reads the offsets and has no payload', () => {
    const withoutPayload = documented((document) => {
      delete document.payload;
    });
    const oversized = documented((document) => {
      delete document.payload;
      document.requestContext.condition = 'MaximumPayloadSizeExceeded';
      document.responseContext = null;
    });

    expect(parsed(JSON.stringify(withoutPayload)).payload).toBeNull();
    const record = parsed(JSON.stringify(oversized));
    expect(record.condition).toBe('MaximumPayloadSizeExceeded');
    expect(record.payload).toBeNull();
    expect(record.ranges).toHaveLength(2);
  });

  it('GIVEN a topic name with hyphens, offsets as numbers and the payload as an object THEN the partition is what follows the last hyphen', () => {
    const record = parsed(
      JSON.stringify(
        documented((document) => {
          document.KafkaBatchInfo!.batchSize = 1;
          document.KafkaBatchInfo!.recordsInfo = {
            'events-eu-west-12': { firstRecordOffset: 9, lastRecordOffset: 9 },
          };
          document.payload = {
            eventSource: 'SelfManagedKafka',
            records: {
              'events-eu-west-12': [anMskRecord({ topic: 'events-eu-west', partition: 12, offset: 9 })],
            },
          };
        }),
      ),
    );

    expect(record.ranges).toEqual([
      { topic: 'events-eu-west', partition: 12, firstOffset: 9, lastOffset: 9 },
    ]);
    expect(record.payload?.eventSource).toBe('SelfManagedKafka');
  });

  it('GIVEN what the test factory writes THEN the parser reads back its offsets and payload', () => {
    const records = [3, 4, 5].map((offset) => anMskRecord({ topic: 'events', partition: 2, offset }));
    const { key, body } = aKafkaFailureRecord({ records, withPayload: true });

    const record = parseFailedBatchRecord(key, body);

    expect(record).toMatchObject({
      ranges: [{ topic: 'events', partition: 2, firstOffset: 3, lastOffset: 5 }],
      payload: { records: { 'events-2': records } },
    });
  });

  it.each([
    ['not JSON', '{"requestContext": {', /^aws\/lambda\/\S+: it is not JSON \(/],
    ['a JSON list', '[]', /: it is not a JSON object$/],
    [
      'a Kinesis failure record',
      JSON.stringify({ version: '1.0', KinesisBatchInfo: { shardId: 'shardId-000000000000' } }),
      /: it has "KinesisBatchInfo", not "KafkaBatchInfo": the failure record of another kind of event source$/,
    ],
    ['no KafkaBatchInfo', documented((d) => delete d.KafkaBatchInfo), /: it has no "KafkaBatchInfo"/],
    [
      'version 2.0',
      documented((d) => (d.version = '2.0')),
      /: its "version" is "2\.0"; this replay reads version 1\.0$/,
    ],
    ['no timestamp', documented((d) => delete d.timestamp), /: its "timestamp" undefined is not a time$/],
    [
      'no condition',
      documented((d) => delete d.requestContext.condition),
      /: "requestContext\.condition" is missing/,
    ],
    [
      'a batchSize of 0',
      documented((d) => (d.KafkaBatchInfo!.batchSize = 0)),
      /"KafkaBatchInfo\.batchSize" 0 is not a count/,
    ],
    [
      'no recordsInfo',
      documented((d) => delete d.KafkaBatchInfo!.recordsInfo),
      /"KafkaBatchInfo\.recordsInfo" is missing: a Kafka failure record names its offsets there$/,
    ],
    [
      'an empty recordsInfo',
      documented((d) => (d.KafkaBatchInfo!.recordsInfo = {})),
      /"KafkaBatchInfo\.recordsInfo" is empty: it names no offsets$/,
    ],
    [
      'a recordsInfo key without partition',
      documented((d) => (d.KafkaBatchInfo!.recordsInfo = { 'spotify-events': {} })),
      /has "spotify-events", which is not <topic>-<partition>$/,
    ],
    [
      'an offset that is not a number',
      documented((d) => (d.KafkaBatchInfo!.recordsInfo!['spotify-events-0']!.firstRecordOffset = 'latest')),
      /"spotify-events-0"\.firstRecordOffset "latest" is not an offset/,
    ],
    [
      // The page's own example carries 56-digit (Kinesis) sequence numbers: no Kafka offset is that long.
      'an offset beyond 2^53',
      documented(
        (d) =>
          (d.KafkaBatchInfo!.recordsInfo!['spotify-events-0']!.lastRecordOffset =
            '49601189658422359378836298522902373528957594348623495186'),
      ),
      /lastRecordOffset 49601189658422359378836298522902373528957594348623495186 is beyond the offsets this replay can hold exactly/,
    ],
    [
      'offsets that run backwards',
      documented((d) => (d.KafkaBatchInfo!.recordsInfo!['spotify-events-0']!.firstRecordOffset = '5000')),
      /"spotify-events-0" runs backwards: firstRecordOffset 5000 is after lastRecordOffset 4212$/,
    ],
    [
      'a batchSize larger than the offsets',
      documented((d) => (d.KafkaBatchInfo!.batchSize = 500)),
      /"KafkaBatchInfo\.batchSize" is 500, more than the 3 offsets "recordsInfo" spans$/,
    ],
    [
      'a payload that is not JSON',
      documented((d) => (d.payload = '{"records": {')),
      /"payload" is not JSON \(/,
    ],
    [
      'a payload without records',
      documented((d) => (d.payload = JSON.stringify({ eventSource: 'aws:kafka' }))),
      /"payload" is not an event of the Kafka event source: it has no "records"$/,
    ],
    [
      'a payload record outside recordsInfo',
      documented((d) => {
        const event = JSON.parse(d.payload as string);
        event.records['spotify-events-0'][1].offset = 4300;
        d.payload = JSON.stringify(event);
      }),
      /"payload" "records\.spotify-events-0\[1\]" has offset 4300 of spotify-events-0, outside the offsets "recordsInfo" names$/,
    ],
    [
      'a payload record without a timestamp',
      documented((d) => {
        const event = JSON.parse(d.payload as string);
        delete event.records['spotify-events-1'][0].timestamp;
        d.payload = JSON.stringify(event);
      }),
      /"payload" "records\.spotify-events-1\[0\]" has no timestamp$/,
    ],
  ])('GIVEN %s THEN it is refused with a reason that names the key', (_name, document, reason) => {
    const problem = refused(document);

    expect(problem.startsWith(`${KEY}: `)).toBe(true);
    expect(problem).toMatch(reason);
  });
});
