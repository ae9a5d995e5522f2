/**
 * The shapes Lambda's Amazon MSK (and self-managed Kafka) event source uses. The local consumer
 * builds exactly these from a kafkajs fetch, so one handler serves both.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
 */

export interface MskRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  /** Base64; absent for a record with a null key. */
  readonly key?: string;
  /** Base64; absent for a record with a null value (a tombstone). */
  readonly value?: string;
  readonly headers: readonly Record<string, readonly number[]>[];
}

export interface MskEvent {
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka';
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
  /** Records grouped by `topic-partition`, each group in offset order. */
  readonly records: Readonly<Record<string, readonly MskRecord[]>>;
}

/** A record Lambda should deliver again: the Kafka form of a partial batch response. */
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number };
}

export interface KafkaBatchResponse {
  readonly batchItemFailures: readonly KafkaBatchItemFailure[];
}

/** `topic-partition`, as the event groups records and as a partial batch response names them. */
export function topicPartitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
