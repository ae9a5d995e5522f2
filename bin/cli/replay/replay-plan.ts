import type { FailedBatchRecord } from '../../../lambdas/consumer/failed-batch-record.js';
import { type MskEvent, type MskRecord, topicPartitionName } from '../../../lambdas/consumer/msk-event.js';
import type { OffsetRange } from '../../../lambdas/shared/lake/lake-layout.js';

/** What a topic partition holds now: offsets `low` (the earliest retained) to `high - 1`. */
export interface PartitionWatermarks {
  readonly low: number;
  readonly high: number;
}

/** Per `topic-partition`; a partition the brokers do not have is absent. */
export type TopicWatermarks = ReadonlyMap<string, PartitionWatermarks>;

/** The condition of a range asked for with `--offsets`, which no failure record stands behind. */
export const REQUESTED_CONDITION = 'asked for with --offsets';

/** Offsets of a failure record that can be had neither from Kafka nor from the record itself. */
export interface LostRange extends OffsetRange {
  readonly reason: string;
}

/** Where one range of a failure record comes back from. */
export interface RangePlan extends OffsetRange {
  /** The part Kafka still holds, to read from the topic; null when it holds none of it. */
  readonly fromKafka: OffsetRange | null;
  /** Records of the part Kafka no longer holds, taken from the failure record's payload. */
  readonly fromPayload: readonly MskRecord[];
  readonly lost: readonly LostRange[];
}

/**
 * Where each of a failure record's offsets comes back from: Kafka for the offsets the topic still
 * retains; the record's payload (the batch as Lambda delivered it) for those it no longer does;
 * and, without a payload, nowhere: those are lost, with why.
 */
export function planReplay(record: FailedBatchRecord, watermarks: TopicWatermarks): RangePlan[] {
  return record.ranges.map((range) => {
    const marks = watermarks.get(topicPartitionName(range.topic, range.partition));
    const gone: { first: number; last: number; reason: string }[] = [];
    let fromKafka: OffsetRange | null = null;
    if (marks === undefined) {
      gone.push({
        first: range.firstOffset,
        last: range.lastOffset,
        reason: `the brokers have no partition ${range.partition} of ${range.topic}`,
      });
    } else {
      const first = Math.max(range.firstOffset, marks.low);
      const last = Math.min(range.lastOffset, marks.high - 1);
      if (first <= last) fromKafka = { ...range, firstOffset: first, lastOffset: last };
      if (range.firstOffset < marks.low)
        gone.push({
          first: range.firstOffset,
          last: Math.min(range.lastOffset, marks.low - 1),
          reason: `deleted from the topic (its earliest offset is now ${marks.low})`,
        });
      if (range.lastOffset >= marks.high)
        gone.push({
          first: Math.max(range.firstOffset, marks.high),
          last: range.lastOffset,
          reason: `not in the topic, whose last offset is ${marks.high - 1} (was the topic deleted and created again?)`,
        });
    }
    const payload = record.payload?.records[topicPartitionName(range.topic, range.partition)];
    // The payload is the whole batch as delivered: an offset of the range it does not hold was no
    // record (a gap Kafka may leave), not a lost one.
    const fromPayload =
      payload === undefined
        ? []
        : payload.filter((item) =>
            gone.some((part) => item.offset >= part.first && item.offset <= part.last),
          );
    const lost =
      record.payload === null
        ? gone.map((part) => ({
            topic: range.topic,
            partition: range.partition,
            firstOffset: part.first,
            lastOffset: part.last,
            reason:
              record.condition === REQUESTED_CONDITION
                ? part.reason
                : `${part.reason}, and the failure record holds no payload`,
          }))
        : [];
    return { ...range, fromKafka, fromPayload, lost };
  });
}

/**
 * The event to hand the consumer's core: the records read from Kafka (already shaped as the event
 * source shapes them) and those taken from the payload, grouped by `topic-partition` in offset
 * order, as Lambda delivers a batch. A record found in both is taken from Kafka.
 */
export function eventToReplay(
  record: FailedBatchRecord,
  fromKafka: readonly MskEvent[],
  plans: readonly RangePlan[],
): MskEvent {
  const groups = new Map<string, Map<number, MskRecord>>();
  const add = (item: MskRecord) => {
    const name = topicPartitionName(item.topic, item.partition);
    let group = groups.get(name);
    if (group === undefined) {
      group = new Map();
      groups.set(name, group);
    }
    if (!group.has(item.offset)) group.set(item.offset, item);
  };
  for (const event of fromKafka) for (const list of Object.values(event.records)) list.forEach(add);
  for (const plan of plans) plan.fromPayload.forEach(add);
  const records: Record<string, MskRecord[]> = {};
  for (const [name, group] of [...groups].sort(([a], [b]) => a.localeCompare(b)))
    records[name] = [...group.values()].sort((a, b) => a.offset - b.offset);
  return {
    eventSource:
      record.payload?.eventSource ??
      (record.eventSourceArn?.startsWith('arn:aws:kafka:') ? 'aws:kafka' : 'SelfManagedKafka'),
    ...(record.eventSourceArn === null ? {} : { eventSourceArn: record.eventSourceArn }),
    records,
  };
}
