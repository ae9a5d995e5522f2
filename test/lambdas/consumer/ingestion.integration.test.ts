import { spawn } from 'node:child_process';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Kafka } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { ensureTopic } from '../../../lambdas/producer/ensure-topic.js';
import { produceEvents } from '../../../lambdas/producer/event-producer.js';
import {
  type GeneratedLine,
  generateEventLines,
  MALFORMED_FAULT_KINDS,
} from '../../../lambdas/producer/generator/generate-events.js';
import { unpaced } from '../../../lambdas/producer/pacers.js';
import { parseListeningEventJson } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import { BRONZE_PREFIX, hourPartitionPrefix } from '../../../lambdas/shared/lake/lake-layout.js';
import { runLocalConsumer } from '../../../local/consumer/local-kafka-consumer.js';
import { localS3Credentials } from '../../../local/services/endpoints.js';
import { occurrences, readLake } from '../../support/lake-contents.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';
import { localKafka, localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { CLI_PATH } from '../../support/run-cli.js';

/** Generated lines with faults, minus the generator's cross-batch duplicates, so that "each event once" is exact. */
function faultyLinesWithoutSenderDuplicates(seed: number, count: number): GeneratedLine[] {
  return [...generateEventLines({ seed, count, users: 200, songs: 50, faultRate: 0.08 })].filter(
    (line) => line.fault !== 'duplicate',
  );
}

async function newTopicAndBucket(kafka: Kafka) {
  const topic = uniqueName('events');
  const bucket = uniqueName('lake');
  await ensureTopic(kafka, topic, 3);
  await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
  return { topic, bucket };
}

async function consumeUntilIdle(kafka: Kafka, topic: string, bucket: string, groupId = uniqueName('group')) {
  return runLocalConsumer({
    kafka,
    topic,
    groupId,
    lake: { s3: localS3(), bucket },
    batchSize: 10_000,
    maxWaitMs: 200,
    untilIdle: true,
  });
}

describe('ingestion on a real broker and S3 server', () => {
  it('GIVEN produced events with faults WHEN consumed THEN each valid event is in the lake once, in the hour it happened, and every bad record is quarantined with its reason', async () => {
    // Prepare
    const kafka = localKafka('ingestion-test');
    const { topic, bucket } = await newTopicAndBucket(kafka);
    const lines = faultyLinesWithoutSenderDuplicates(31, 4_000);
    await produceEvents({ kafka, topic, lines: lines.map((line) => line.text), pacer: unpaced });

    // Act
    const totals = await consumeUntilIdle(kafka, topic, bucket);
    const lake = await readLake(localS3(), bucket);

    // Assess: every valid event exactly once, in the folder of its own UTC hour.
    const valid = lines.flatMap((line) => {
      const result = parseListeningEventJson(line.text);
      return result.ok ? [{ event: result.event, fault: line.fault }] : [];
    });
    expect(totals.recordsIn).toBe(lines.length);
    const counts = occurrences(lake.bronze.map((entry) => entry.event.event_id));
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(counts.keys())).toEqual(new Set(valid.map((entry) => entry.event.event_id)));
    for (const { key, event } of lake.bronze) {
      expect(key.startsWith(hourPartitionPrefix(BRONZE_PREFIX, Date.parse(event.timestamp)))).toBe(true);
    }
    // Every object is named by an arrival manifest, which is how the loader finds it.
    const listed = new Set(
      lake.arrivals.flatMap(({ manifest }) => [...manifest.bronze, ...manifest.quarantine]),
    );
    expect(new Set(lake.keys)).toEqual(listed);
    // A late event lands in its own, past hour: not in the hour the stream had reached.
    const late = valid.filter((entry) => entry.fault === 'late');
    expect(late.length).toBeGreaterThan(10);
    for (const { event } of late) {
      const stored = lake.bronze.find((entry) => entry.event.event_id === event.event_id)!;
      expect(stored.key.startsWith(hourPartitionPrefix(BRONZE_PREFIX, Date.parse(event.timestamp)))).toBe(
        true,
      );
    }

    // Every malformed line is in quarantine, byte for byte, with a reason.
    const malformed = lines.filter((line) => MALFORMED_FAULT_KINDS.has(line.fault!));
    expect(malformed.length).toBeGreaterThan(100);
    const quarantined = new Map(
      lake.quarantine.map(({ record }) => [
        Buffer.from(record.value_base64!, 'base64').toString('utf8'),
        record,
      ]),
    );
    expect(lake.quarantine).toHaveLength(malformed.length);
    for (const line of malformed) {
      const record = quarantined.get(line.text);
      expect(record, line.text).toBeDefined();
      expect(record!.reason.length).toBeGreaterThan(10);
      expect(record).toMatchObject({ topic, offset: expect.any(Number) });
    }
  });

  it('GIVEN each kind of bad input WHEN consumed THEN each is quarantined with its reason and the good ones are in bronze', async () => {
    const kafka = localKafka('bad-input-test');
    const topic = uniqueName('bad-input');
    const bucket = uniqueName('lake');
    const admin = kafka.admin();
    await admin.connect();
    // Room for the 1 MB value: the broker's default cap on a record is about 1 MB in all.
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4194304' }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));

    const json = (overrides: Record<string, unknown>) => JSON.stringify(aListeningEventRecord(overrides));
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const bad: [string, string, RegExp][] = [
      ['not JSON', 'play this', /is not valid JSON/],
      ['a JSON array', JSON.stringify([aListeningEventRecord()]), /is a JSON array/],
      [
        'a missing field',
        JSON.stringify({ ...aListeningEventRecord(), country: undefined }),
        /country is missing/,
      ],
      ['a wrong type', json({ user_id: 42 }), /user_id 42 is a number, not a string/],
      ['an unknown event_type', json({ event_type: 'rewind' }), /event_type "rewind" is not one of/],
      [
        'a garbage timestamp',
        json({ timestamp: '31/12/2025 10:00' }),
        /timestamp .* is not an ISO-8601 date-time/,
      ],
      [
        'a 1 MB value',
        json({ artist_name: 'a'.repeat(1024 * 1024) }),
        /artist_name .* is 1048576 characters long/,
      ],
      ['an empty value', '', /is empty/],
    ];
    const good = [
      json({ event_id: id(1) }),
      json({ event_id: id(2), event_type: 'skip', ms_played: 31_000 }),
    ];
    const sameIdDifferentEvent = json({ event_id: id(1), event_type: 'pause' });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        ...bad.map(([, value]) => ({ key: 'user_000017', value })),
        { key: null, value: good[0]! },
        { key: 'user_000017', value: good[0]! },
        { key: 'user_000017', value: good[1]! },
        { key: 'user_000017', value: sameIdDifferentEvent },
      ],
    });
    await producer.disconnect();

    await consumeUntilIdle(kafka, topic, bucket);
    const lake = await readLake(localS3(), bucket);

    for (const [name, value, reason] of bad) {
      const record = lake.quarantine.find(
        (entry) => entry.record.value_base64 === Buffer.from(value).toString('base64'),
      );
      expect(record, name).toBeDefined();
      expect(record!.record.reason, name).toMatch(reason);
    }
    // The null-key record and its repeat are one event; the id reused for another event is quarantined.
    expect(lake.bronze.map((entry) => entry.event.event_id).sort()).toEqual([id(1), id(2)]);
    const reused = lake.quarantine.find(
      (entry) => entry.record.value_base64 === Buffer.from(sameIdDifferentEvent).toString('base64'),
    );
    expect(reused!.record.reason).toMatch(/event_id .* is already used in this batch by a different event/);
    expect(lake.quarantine).toHaveLength(bad.length + 1);
  });

  it('GIVEN a consumer killed after writing objects and before committing WHEN restarted THEN the lake still holds each event once', async () => {
    const kafka = localKafka('crash-test');
    const { topic, bucket } = await newTopicAndBucket(kafka);
    const lines = faultyLinesWithoutSenderDuplicates(47, 3_000).filter(
      (line) => parseListeningEventJson(line.text).ok,
    );
    await produceEvents({ kafka, topic, lines: lines.map((line) => line.text), pacer: unpaced });
    const group = uniqueName('group');
    const args = [
      'consume',
      '--brokers',
      inject('kafkaBrokers'),
      '--topic',
      topic,
      '--bucket',
      bucket,
      '--s3-endpoint',
      inject('s3Endpoint'),
      '--group',
      group,
      '--batch-size',
      '400',
      '--until-idle',
    ];

    // Act 1: the consumer dies (SIGKILL) right after its first batch reaches the lake.
    const crashed = await runToExit(args, { SPOTIFY_PIPELINE_TEST_CRASH_BEFORE_COMMIT: '1' });
    expect(crashed.signal).toBe('SIGKILL');
    const afterCrash = await readLake(localS3(), bucket);
    expect(afterCrash.bronze.length).toBeGreaterThan(0);
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    expect(committed!.partitions.every((partition) => partition.offset === '-1')).toBe(true);

    // Act 2: it starts again and reads everything, the first batch included.
    const restarted = await runToExit(args, {});
    expect(restarted).toMatchObject({ code: 0 });

    const lake = await readLake(localS3(), bucket);
    const counts = occurrences(lake.bronze.map((entry) => entry.event.event_id));
    expect(counts.size).toBe(lines.length);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    // The redelivered batch found its objects already written, and its manifest names them again.
    const listed = new Set(lake.arrivals.flatMap(({ manifest }) => manifest.bronze));
    expect(new Set(lake.bronze.map((entry) => entry.key))).toEqual(listed);
  });

  it('GIVEN an S3 write that fails WHEN a batch is consumed THEN the partial batch response names the lowest offset of each failed partition', async () => {
    const records = [0, 1].flatMap((partition) =>
      [5, 6, 7].map((offset) =>
        anMskRecord({
          partition,
          offset,
          value: JSON.stringify(
            aListeningEventRecord({ event_id: `00000000-0000-4000-8000-${partition}${offset}0000000000` }),
          ),
        }),
      ),
    );
    const outcome = await consumeBatch(
      anMskEvent(records),
      {
        s3: localS3(),
        bucket: uniqueName('no-such-bucket'),
      },
      Date.now(),
    );
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'spotify-events-0', offset: 5 } },
      { itemIdentifier: { partition: 'spotify-events-1', offset: 5 } },
    ]);
    expect(outcome.errors[0]!.error).toMatch(/bucket/i);
  });

  it('GIVEN the Lambda handler with its environment WHEN invoked with an MSK event THEN it writes the lake and reports no failures', async () => {
    const bucket = uniqueName('lake');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    process.env.LAKE_BUCKET = bucket;
    process.env.LAKE_S3_ENDPOINT = inject('s3Endpoint');
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = localS3Credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = localS3Credentials.secretAccessKey;
    const { handler } = await import('../../../lambdas/consumer/handler.js');
    const response = await handler(
      anMskEvent([
        anMskRecord({ offset: 9, value: JSON.stringify(aListeningEventRecord()) }),
        anMskRecord({ offset: 10, value: 'oops' }),
      ]),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    const lake = await readLake(localS3(), bucket);
    expect(lake.bronze.map((entry) => entry.event.event_id)).toEqual([
      '0b6f3c1e-5d4a-4f7e-9a2b-1c3d5e7f9a0b',
    ]);
    expect(lake.quarantine.map((entry) => entry.record.offset)).toEqual([10]);
  });
});

function runToExit(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(inject('cliNode'), [CLI_PATH, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}
