import { randomUUID } from 'node:crypto';
import type { MskRecord } from '../../lambdas/consumer/msk-event.js';

export interface KafkaFailureRecordOptions {
  /** The batch Lambda gave up on, as it was delivered to the function. */
  readonly records: readonly MskRecord[];
  /** S3 destinations get the batch as `payload`; false writes the record as SNS and SQS get it. */
  readonly withPayload: boolean;
  /** @default 'RetryAttemptsExhausted' */
  readonly condition?: string;
  /** @default now */
  readonly failedAt?: Date;
  /** The event source mapping's UUID: the first folder of the key. @default a random one */
  readonly mappingUuid?: string;
  /** @default an MSK cluster's ARN */
  readonly eventSourceArn?: string;
}

export interface KafkaFailureRecord {
  readonly key: string;
  readonly document: Record<string, unknown>;
  readonly body: string;
}

/**
 * The failure record Lambda writes to an S3 on-failure destination for a batch of a Kafka event
 * source it gave up on, as AWS documents it (kafka-on-failure.html, "S3 destination example
 * invocation record"): offsets as strings per `<topic>-<partition>` in `recordsInfo`, and the
 * whole invocation event as an escaped JSON string in `payload`.
 *
 * The key follows the layout AWS documents for stream event sources' S3 destinations,
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`, with the batch's
 * first `topic-partition` in the shard's place; the Kafka pages do not spell the key out, which is
 * why the replay reads every object under `aws/lambda/` and trusts only the document.
 */
export function aKafkaFailureRecord(options: KafkaFailureRecordOptions): KafkaFailureRecord {
  const failedAt = options.failedAt ?? new Date();
  const eventSourceArn =
    options.eventSourceArn ??
    'arn:aws:kafka:eu-west-1:111122223333:cluster/spotify-pipeline-dev/7d8c2a1e-5b4f-4a3e-9c2d-1e0f3a4b5c6d-3';
  const bootstrapServers = 'b-1.spotifypipelinedev.abc123.c3.kafka.eu-west-1.amazonaws.com:9098';
  const groups = new Map<string, MskRecord[]>();
  for (const record of options.records) {
    const name = `${record.topic}-${record.partition}`;
    groups.set(name, [...(groups.get(name) ?? []), record]);
  }
  const recordsInfo: Record<string, unknown> = {};
  const payloadRecords: Record<string, MskRecord[]> = {};
  for (const [name, records] of groups) {
    const sorted = [...records].sort((a, b) => a.offset - b.offset);
    recordsInfo[name] = {
      firstRecordOffset: String(sorted[0]!.offset),
      lastRecordOffset: String(sorted.at(-1)!.offset),
      firstRecordTimestamp: new Date(sorted[0]!.timestamp).toISOString(),
      lastRecordTimestamp: new Date(sorted.at(-1)!.timestamp).toISOString(),
    };
    payloadRecords[name] = sorted;
  }
  const payload = JSON.stringify({
    eventSource: 'aws:kafka',
    eventSourceArn,
    bootstrapServers,
    records: payloadRecords,
  });
  const condition = options.condition ?? 'RetryAttemptsExhausted';
  const document: Record<string, unknown> = {
    requestContext: {
      requestId: randomUUID(),
      functionArn:
        'arn:aws:lambda:eu-west-1:111122223333:function:SpotifyPipeline-dev-Ingestion-LakeConsumer',
      condition,
      approximateInvokeCount: 4,
    },
    responseContext:
      condition === 'MaximumPayloadSizeExceeded'
        ? null
        : { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: failedAt.toISOString(),
    KafkaBatchInfo: {
      batchSize: options.records.length,
      eventSourceArn,
      bootstrapServers,
      payloadSize: Buffer.byteLength(payload),
      recordsInfo,
    },
    ...(options.withPayload ? { payload } : {}),
  };
  const iso = failedAt.toISOString();
  const key =
    `aws/lambda/${options.mappingUuid ?? randomUUID()}/${[...groups.keys()].sort()[0]}/` +
    `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/` +
    `${iso.slice(0, 19).replace(/:/g, '.')}-${randomUUID()}`;
  return { key, document, body: JSON.stringify(document) };
}
