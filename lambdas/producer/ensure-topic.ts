import type { Kafka } from 'kafkajs';

/**
 * Creates the topic when it is missing, with the given partition count and the broker's default
 * replication. An existing topic is left as it is (its partition count included): on MSK the
 * topic is created at deploy time, and this is a no-op there.
 */
export async function ensureTopic(
  kafka: Kafka,
  topic: string,
  partitions: number,
): Promise<'created' | 'exists'> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) return 'exists';
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
    return created ? 'created' : 'exists';
  } finally {
    await admin.disconnect();
  }
}
