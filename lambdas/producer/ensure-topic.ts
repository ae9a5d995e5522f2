import type { Admin, Kafka } from 'kafkajs';
import { DEFAULT_TOPIC_RETENTION_HOURS } from '../shared/kafka/pipeline-topic.js';

const LEADER_WAIT_MS = 30_000;

/**
 * Creates the topic when it is missing, with the given partition count and retention (the task
 * definition passes the topic's own) and the broker's default replication. An existing topic is
 * left as it is, its settings included: on MSK the topic exists before the producer starts (made at
 * deploy time, or by the team on MSK Serverless), and this is a no-op there.
 */
export async function ensureTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
  retentionHours: number = DEFAULT_TOPIC_RETENTION_HOURS,
): Promise<'created' | 'exists'> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) return 'exists';
    const created = await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          configEntries: [{ name: 'retention.ms', value: String(retentionHours * 3_600_000) }],
        },
      ],
      // kafkajs's own wait gives up when a just-started broker does not know the topic yet.
      waitForLeaders: false,
    });
    await waitUntilEveryPartitionHasALeader(admin, topic);
    return created ? 'created' : 'exists';
  } finally {
    await admin.disconnect();
  }
}

/**
 * A broker that has just started can acknowledge a new topic before its metadata names a leader for
 * every partition; a producer sending then is told "this server does not host this topic-partition".
 */
async function waitUntilEveryPartitionHasALeader(admin: Admin, topic: string): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((partition) => partition.leader >= 0)) return;
    } catch (error) {
      // "This server does not host this topic-partition" while the new topic propagates: ask again.
      if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`topic ${topic} has partitions without a leader after ${LEADER_WAIT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
