import type { MskEvent, MskRecord } from '../../lambdas/consumer/msk-event.js';

/** A Kafka record as the MSK event source delivers it; `value` is given as text and sent as base64. */
export function anMskRecord(
  overrides: Partial<Omit<MskRecord, 'value' | 'key'>> & { value?: string | null; key?: string | null } = {},
): MskRecord {
  const { value = '{}', key = 'user_000001', ...rest } = overrides;
  return {
    topic: 'spotify-events',
    partition: 0,
    offset: 0,
    timestamp: Date.parse('2026-01-01T10:00:00Z'),
    timestampType: 'CREATE_TIME',
    headers: [],
    ...rest,
    ...(key === null ? {} : { key: Buffer.from(key).toString('base64') }),
    ...(value === null ? {} : { value: Buffer.from(value).toString('base64') }),
  };
}

/** An MSK event holding the records, grouped by `topic-partition` as Lambda groups them. */
export function anMskEvent(records: readonly MskRecord[]): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const record of records) {
    const name = `${record.topic}-${record.partition}`;
    grouped[name] = [...(grouped[name] ?? []), record];
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:111122223333:cluster/test/1',
    records: grouped,
  };
}
