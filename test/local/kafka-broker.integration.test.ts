import { type Admin, type EachMessagePayload, Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { localKafka, uniqueName } from '../support/local-clients.js';

describe('the local Kafka broker (KRaft, from Maven Central jars) with kafkajs 2.2.4', () => {
  const kafka = localKafka('kafka-broker-test');
  let admin: Admin;
  const topicsCreated: string[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (topicsCreated.length > 0) await admin.deleteTopics({ topics: topicsCreated });
    await admin.disconnect();
  });

  async function createTopic(numPartitions: number): Promise<string> {
    const topic = uniqueName('local-broker-test');
    const created = await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
    expect(created).toBe(true);
    topicsCreated.push(topic);
    return topic;
  }

  test('describes a single-node cluster that advertises the loopback endpoint it was asked for', async () => {
    // Act
    const cluster = await admin.describeCluster();

    // Assess
    const [host, port] = inject('kafkaBrokers').split(':');
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.brokers[0]).toMatchObject({ host, port: Number(port) });
    expect(cluster.controller).toBe(cluster.brokers[0]?.nodeId);
  });

  test('delivers produced messages to a consumer group, in order per partition, and records its offsets', async () => {
    // Prepare: three partitions, and keys that land on more than one of them.
    const topic = await createTopic(3);
    const groupId = uniqueName('local-broker-test-group');
    const sent = Array.from({ length: 12 }, (_, index) => ({
      key: `listener-${index % 4}`,
      value: JSON.stringify({ sequence: index, trackId: `track-${index}` }),
    }));
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // Offsets are committed by hand once everything has arrived: with auto-commit, the last offset
    // is committed some time after the last message, which a test could only wait for.
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });

    // Act
    const written = await producer.send({ topic, acks: -1, messages: sent });
    const received: EachMessagePayload[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async (payload) => {
            received.push(payload);
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    const nextOffsetByPartition = new Map<number, number>();
    for (const { partition, message } of received) {
      nextOffsetByPartition.set(
        partition,
        Math.max(nextOffsetByPartition.get(partition) ?? 0, Number(message.offset) + 1),
      );
    }
    await consumer.commitOffsets(
      [...nextOffsetByPartition].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })),
    );
    await consumer.disconnect();
    await producer.disconnect();

    // Assess: everything arrived once, each key stayed on one partition, and within a partition
    // the order is the order of sending.
    expect(written.every((result) => result.errorCode === 0)).toBe(true);
    const receivedValues = received.map(({ message }) => message.value?.toString());
    expect([...receivedValues].sort()).toEqual(sent.map((message) => message.value).sort());
    const partitionsByKey = new Map<string, Set<number>>();
    for (const { message, partition } of received) {
      const key = message.key?.toString() ?? '';
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
    }
    for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);
    for (const partition of new Set(received.map((payload) => payload.partition))) {
      const sequences = received
        .filter((payload) => payload.partition === partition)
        .map(
          ({ message }) => (JSON.parse(message.value?.toString() ?? '{}') as { sequence: number }).sequence,
        );
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    }
    // The group's committed offsets, kept by the broker, reach the end of every partition that
    // received messages (a partition no key hashed to has no committed offset at all).
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const endOffsets = await admin.fetchTopicOffsets(topic);
    const usedPartitions = new Set(received.map((payload) => payload.partition));
    expect(usedPartitions.size).toBeGreaterThan(1);
    const offsetsOfUsedPartitions = (offsets: readonly { partition: number; offset: string }[]) =>
      Object.fromEntries(
        offsets
          .filter(({ partition }) => usedPartitions.has(partition))
          .map(({ partition, offset }) => [partition, Number(offset)]),
      );
    expect(offsetsOfUsedPartitions(committed?.partitions ?? [])).toEqual(offsetsOfUsedPartitions(endOffsets));
    expect(endOffsets.reduce((sum, { offset }) => sum + Number(offset), 0)).toBe(sent.length);
  });

  test('does not create a topic when a producer asks for it (auto.create.topics.enable=false)', async () => {
    // Prepare: a producer that asks the broker to create missing topics, and fails fast instead of
    // retrying the unknown topic for seconds.
    const eager = new Kafka({
      clientId: 'kafka-broker-test-eager',
      brokers: [inject('kafkaBrokers')],
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
    await eager.connect();
    const neverCreated = uniqueName('local-broker-test-missing');

    // Act
    const sending = eager.send({ topic: neverCreated, messages: [{ value: 'lost?' }] });

    // Assess
    await expect(sending).rejects.toThrow(/does not host this topic-partition/);
    await eager.disconnect();
    expect(await admin.listTopics()).not.toContain(neverCreated);
  });
});
