import kafkajs, { type Kafka } from 'kafkajs';
import { unknownTopic } from '../failure-messages.js';
import type { CommittedRange } from './offset-accounting.js';

export interface TopicPosition {
  readonly ranges: readonly CommittedRange[];
  /** Per partition, records after the group's position: not yet consumed, so not audited. */
  readonly lag: readonly { readonly partition: number; readonly records: number }[];
  /** Per partition, records Kafka deleted before the group read them (its position is below the earliest offset). */
  readonly expiredUnread: readonly { readonly partition: number; readonly records: number }[];
  /** The topic's retention.ms; null when it keeps records forever (-1). */
  readonly retentionMs: number | null;
}

/**
 * Per partition of the topic, the offsets the group has committed that Kafka still retains: from
 * the earliest retained offset to the group's committed position less one.
 */
export async function readTopicPosition(
  kafka: Kafka,
  topic: string,
  groupId: string,
): Promise<TopicPosition> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) throw unknownTopic(topic);
    const watermarks = await admin.fetchTopicOffsets(topic);
    const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const described = await admin.describeConfigs({
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    const retention = Number(
      described.resources[0]?.configEntries.find((entry) => entry.configName === 'retention.ms')
        ?.configValue ?? -1,
    );
    const ranges: CommittedRange[] = [];
    const lag: { partition: number; records: number }[] = [];
    const expiredUnread: { partition: number; records: number }[] = [];
    for (const mark of [...watermarks].sort((a, b) => a.partition - b.partition)) {
      const low = Number(mark.low);
      const high = Number(mark.high);
      // -1: the group has committed nothing on this partition yet.
      const position = committed.get(mark.partition) ?? -1;
      const at = position < 0 ? low : position;
      if (at < low) expiredUnread.push({ partition: mark.partition, records: low - at });
      ranges.push({ topic, partition: mark.partition, from: low, to: Math.max(at, low) - 1 });
      if (high > Math.max(at, low))
        lag.push({ partition: mark.partition, records: high - Math.max(at, low) });
    }
    return { ranges, lag, expiredUnread, retentionMs: retention > 0 ? retention : null };
  } finally {
    await admin.disconnect();
  }
}
