import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { localKafka, uniqueName } from '../../support/local-clients.js';
import { buildProducerImageBundle } from '../../support/producer-bundle.js';
import { runCli } from '../../support/run-cli.js';

/** Every message of the topic, read with a plain kafkajs consumer, in partition and offset order. */
async function readTopic(
  kafka: Kafka,
  topic: string,
): Promise<{ key: string | null; value: string; partition: number }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = ends.reduce((sum, end) => sum + Number(end.high), 0);
  const messages: { key: string | null; value: string; partition: number; offset: number }[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve) => {
    if (expected === 0) resolve();
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
        });
        if (messages.length === expected) resolve();
      },
    });
  });
  await consumer.disconnect();
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

describe('the producer on a real broker', () => {
  it('GIVEN a file of valid and invalid lines WHEN produced with --from-file THEN the topic holds each line exactly as it was, keyed by user_id where there is one', async () => {
    const topic = uniqueName('replay');
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'lines.ndjson');
    const lines = [
      '{"user_id":"user_1","x":1}',
      'not json',
      '',
      '{"user_id":"user_2"}',
      '  spaced  ',
      '{"user_id":"user_1","x":2}',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);

    const run = await runCli([
      'produce',
      '--brokers',
      inject('kafkaBrokers'),
      '--topic',
      topic,
      '--from-file',
      file,
      '--rate',
      '0',
    ]);

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/sent 6 events to /);
    const messages = await readTopic(localKafka('replay-reader'), topic);
    expect(messages.map((message) => message.value).sort()).toEqual([...lines].sort());
    const user1 = messages.filter((message) => message.key === 'user_1');
    expect(user1.map((message) => message.value)).toEqual([
      '{"user_id":"user_1","x":1}',
      '{"user_id":"user_1","x":2}',
    ]);
    expect(new Set(user1.map((message) => message.partition)).size).toBe(1);
    expect(messages.find((message) => message.value === 'not json')!.key).toBeNull();
  });

  it('GIVEN the Fargate entry point, bundled as its image bundles it WHEN it runs and gets SIGTERM THEN it stops, and every event it counted as sent is in the topic', async () => {
    // Prepare: the bundle the image's build step makes.
    const outfile = buildProducerImageBundle();
    const topic = uniqueName('fargate');
    const child = spawn(inject('deployedNode'), [outfile], {
      env: {
        ...process.env,
        KAFKA_BROKERS: inject('kafkaBrokers'),
        KAFKA_AUTH: 'plaintext',
        KAFKA_TOPIC: topic,
        TOPIC_PARTITIONS: '3',
        TOPIC_RETENTION_HOURS: '30',
        EVENT_RATE: '0',
        GENERATOR_SEED: '11',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });

    // Act: let it produce for a while, then stop it as ECS does.
    const kafka = localKafka('fargate-reader');
    const admin = kafka.admin();
    await admin.connect();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      if (ends.reduce((sum, end) => sum + Number(end.high), 0) >= 20_000) break;
    }
    await admin.disconnect();
    child.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // Assess
    expect(exitCode).toBe(0);
    const logs = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { message: string; sent?: number });
    const stopped = logs.find((line) => line.message === 'stopped');
    expect(stopped?.sent).toBeGreaterThanOrEqual(20_000);
    const messages = await readTopic(kafka, topic);
    expect(messages).toHaveLength(stopped!.sent!);
    expect(logs.some((line) => line.message === 'stopping: sending what was taken, then exiting')).toBe(true);
    // It made the topic with the retention the task was given (the stacks pass the topic's).
    const describer = kafka.admin();
    await describer.connect();
    const described = await describer.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    await describer.disconnect();
    expect(described.resources[0]!.configEntries).toEqual([
      expect.objectContaining({ configName: 'retention.ms', configValue: String(30 * 3_600_000) }),
    ]);
  });
});
