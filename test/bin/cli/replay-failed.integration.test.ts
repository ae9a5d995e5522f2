import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type Kafka, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditReport } from '../../../bin/cli/audit/run-audit.js';
import type { ReplayReport } from '../../../bin/cli/replay/replay-failed-batches.js';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import type { MskRecord } from '../../../lambdas/consumer/msk-event.js';
import { partitionKeyForLine } from '../../../lambdas/producer/event-producer.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { parseListeningEventJson } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import { REPLAYS_PREFIX, replayMarkerKey } from '../../../lambdas/shared/lake/lake-layout.js';
import { aKafkaFailureRecord, type KafkaFailureRecord } from '../../support/failed-batch-record-factory.js';
import { occurrences, readLake } from '../../support/lake-contents.js';
import { localKafka, localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent } from '../../support/msk-event-factory.js';
import { lakeCommandLine, runCli } from '../../support/run-cli.js';

/** A record as produced: what the event source would deliver for it, and whether it is a valid event. */
interface Produced {
  readonly record: MskRecord;
  readonly eventId: string | null;
}

/** Generated lines, valid and malformed, without the generator's sender duplicates (two records, one event id). */
function linesOf(seed: number, count: number): string[] {
  return [...generateEventLines({ seed, count, users: 40, songs: 15, faultRate: 0.1 })]
    .filter((line) => line.fault !== 'duplicate')
    .map((line) => line.text);
}

/** Sends the lines to one partition, stamped now, and returns them as the event source delivers them. */
async function produceTo(
  kafka: Kafka,
  topic: string,
  partition: number,
  lines: readonly string[],
): Promise<Produced[]> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const timestamp = Date.now();
    const [sent] = await producer.send({
      topic,
      acks: -1,
      messages: lines.map((text) => ({
        partition,
        key: partitionKeyForLine(text),
        value: text,
        timestamp: String(timestamp),
      })),
    });
    const base = Number(sent!.baseOffset);
    return lines.map((text, index) => {
      const key = partitionKeyForLine(text);
      const parsed = parseListeningEventJson(text);
      return {
        record: {
          topic,
          partition,
          offset: base + index,
          timestamp,
          timestampType: 'CREATE_TIME',
          ...(key === null ? {} : { key: Buffer.from(key).toString('base64') }),
          value: Buffer.from(text).toString('base64'),
          headers: [],
        },
        eventId: parsed.ok ? parsed.event.event_id : null,
      };
    });
  } finally {
    await producer.disconnect();
  }
}

async function writeFailureRecord(s3: S3Client, bucket: string, record: { key: string; body: string }) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: record.key,
      Body: record.body,
      ContentType: 'application/json',
    }),
  );
}

/** Every key of the bucket under `prefix`, with its ETag: what "unchanged" compares. */
async function listing(s3: S3Client, bucket: string, prefix = ''): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) objects.set(item.Key!, item.ETag!);
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** Each produced record must be in the lake exactly once: a valid one as its event's bronze line, a bad one in quarantine. */
async function expectEachOnce(s3: S3Client, bucket: string, expected: readonly Produced[]) {
  const lake = await readLake(s3, bucket);
  const events = occurrences(lake.bronze.map((entry) => entry.event.event_id));
  const refused = occurrences(
    lake.quarantine.map((entry) => `${entry.record.partition}+${entry.record.offset}`),
  );
  expect([...events.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  expect([...refused.entries()].filter(([, count]) => count !== 1)).toEqual([]);
  expect(new Set(events.keys())).toEqual(
    new Set(expected.flatMap((item) => (item.eventId === null ? [] : [item.eventId]))),
  );
  expect(new Set(refused.keys())).toEqual(
    new Set(
      expected.flatMap((item) =>
        item.eventId === null ? [`${item.record.partition}+${item.record.offset}`] : [],
      ),
    ),
  );
}

const dataObjects = async (s3: S3Client, bucket: string) =>
  new Map([...(await listing(s3, bucket, 'bronze/')), ...(await listing(s3, bucket, 'quarantine/'))]);

/** The local services' flags for a command that reads `lake.topic` as `group` and writes the lake. */
function kafkaAndLakeFlags(lake: { topic: string; bucket: string }, group: string): string[] {
  return [
    '--brokers',
    inject('kafkaBrokers'),
    '--topic',
    lake.topic,
    '--group',
    group,
    '--bucket',
    lake.bucket,
    '--s3-endpoint',
    inject('s3Endpoint'),
  ];
}

/** The local consumer, as the event source, reads the topic into the lake until nothing is left. */
async function consumeUntilIdle(lake: { topic: string; bucket: string }, group: string): Promise<void> {
  const result = await runCli(['consume', ...kafkaAndLakeFlags(lake, group), '--until-idle']);
  expect(result.exitCode, result.stderr).toBe(0);
}

/** Loads the lake into `warehouse` and transforms it, then audits every offset and layer. */
async function loadAndAuditLake(lake: { topic: string; bucket: string }, group: string, warehouse: string) {
  const s3Endpoint = inject('s3Endpoint');
  const run = await runCli(lakeCommandLine('run', { bucket: lake.bucket, s3Endpoint }, warehouse));
  expect(run.exitCode, run.stderr).toBe(0);
  const audit = await runCli([
    'audit',
    ...kafkaAndLakeFlags(lake, group),
    '--warehouse',
    `duckdb:${warehouse}`,
    '--format',
    'json',
  ]);
  return { exitCode: audit.exitCode, report: JSON.parse(audit.stdout) as AuditReport };
}

/** Lines per partition, for each phase of an outage. */
interface OutageLines {
  readonly before: readonly (readonly string[])[];
  readonly during: readonly (readonly string[])[];
  readonly after: readonly (readonly string[])[];
}

/**
 * An outage as the event source lives it, on a new topic of one partition per entry of each phase:
 * `before` is produced and consumed into the lake; `during` is produced and the group's committed
 * offsets moved past it, as Lambda moves on after giving up on a batch; `after` is produced and
 * consumed as usual again. Returns what was produced, `during` by partition.
 */
async function throughAnOutage(
  kafka: Kafka,
  lake: { topic: string; bucket: string },
  group: string,
  lines: OutageLines,
): Promise<{ before: Produced[]; during: Produced[][]; after: Produced[] }> {
  const produce = async (phase: OutageLines['before']) =>
    Promise.all(
      phase.map((partitionLines, partition) => produceTo(kafka, lake.topic, partition, partitionLines)),
    );
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: lake.topic, numPartitions: lines.before.length }],
      waitForLeaders: true,
    });
    const before = (await produce(lines.before)).flat();
    await consumeUntilIdle(lake, group);
    const during = await produce(lines.during);
    await admin.setOffsets({
      groupId: group,
      topic: lake.topic,
      partitions: during.map((produced, partition) => ({
        partition,
        offset: String(produced.at(-1)!.record.offset + 1),
      })),
    });
    const after = (await produce(lines.after)).flat();
    await consumeUntilIdle(lake, group);
    return { before, during, after };
  } finally {
    await admin.disconnect();
  }
}

describe('spotify-pipeline replay-failed, on the real local services', () => {
  const s3Endpoint = inject('s3Endpoint');
  const brokers = inject('kafkaBrokers');
  const replayCommandLine = (lake: { topic: string; bucket: string }) => [
    'replay-failed',
    '--bucket',
    lake.bucket,
    '--s3-endpoint',
    s3Endpoint,
    '--brokers',
    brokers,
    '--topic',
    lake.topic,
  ];
  const replay = async (lake: { topic: string; bucket: string }, extra: readonly string[] = []) => {
    const result = await runCli([...replayCommandLine(lake), '--format', 'json', ...extra]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return { ...result, report: JSON.parse(result.stdout) as ReplayReport };
  };

  describe('GIVEN an outage: batches the event source gave up on while the consumer group moved past them', () => {
    const s3 = localS3();
    const kafka = localKafka('replay-failed-test');
    const lake = { topic: uniqueName('replay'), bucket: uniqueName('replay') };
    const group = uniqueName('lake-consumer');
    let workDir: string;
    let warehouse: string;
    let everything: Produced[];
    let outage: Produced[];
    /** The outage's records of each partition. */
    let outageOf: [Produced[], Produced[]];
    let failures: {
      withPayload: KafkaFailureRecord;
      withoutPayload: KafkaFailureRecord;
      halfWritten: KafkaFailureRecord;
      otherPartition: KafkaFailureRecord;
    };

    const loadAndAudit = () => loadAndAuditLake(lake, group, warehouse);

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'replay-failed-'));
      warehouse = join(workDir, 'warehouse.duckdb');
      const lines = linesOf(71, 330);
      const half = (from: number, to: number) => [
        lines.slice(from, to).filter((_, index) => index % 2 === 0),
        lines.slice(from, to).filter((_, index) => index % 2 === 1),
      ];
      // The event source gives up on the batches of `during`, as Lambda does after its retries.
      const produced = await throughAnOutage(kafka, lake, group, {
        before: half(0, 100),
        during: half(100, 220),
        after: half(220, lines.length),
      });
      const [p0, p1] = produced.during as [Produced[], Produced[]];
      outage = [...p0, ...p1];
      outageOf = [p0, p1];
      everything = [...produced.before, ...outage, ...produced.after];
      const records = (items: readonly Produced[]) => items.map((item) => item.record);
      failures = {
        withPayload: aKafkaFailureRecord({ records: records(p0.slice(0, 20)), withPayload: true }),
        withoutPayload: aKafkaFailureRecord({ records: records(p0.slice(20, 40)), withPayload: false }),
        // One batch over both partitions, of which the function wrote a part before giving up.
        halfWritten: aKafkaFailureRecord({
          records: records([...p0.slice(40), ...p1.slice(0, 10)]),
          withPayload: true,
        }),
        otherPartition: aKafkaFailureRecord({
          records: records(p1.slice(10)),
          withPayload: false,
          condition: 'MaximumPayloadSizeExceeded',
        }),
      };
      for (const failure of Object.values(failures)) await writeFailureRecord(s3, lake.bucket, failure);
      const written = await consumeBatch(
        anMskEvent(records([...p0.slice(40, 50), ...p1.slice(0, 5)])),
        { s3, bucket: lake.bucket },
        Date.now(),
      );
      expect(written.errors).toEqual([]);
    }, 240_000);

    afterAll(() => {
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    });

    it('THEN before the replay, the audit counts the outage offsets the function did not write as lost', async () => {
      const { exitCode, report } = await loadAndAudit();

      expect(exitCode).toBe(1);
      expect(report.offsets.reduce((total, p) => total + p.unaccounted, 0)).toBe(outage.length - 15);
    });

    it('WHEN dry-run THEN it says what it would replay, and from where, and writes nothing', async () => {
      const before = await listing(s3, lake.bucket);

      const { exitCode, report } = await replay(lake, ['--dry-run']);

      expect(exitCode).toBe(0);
      expect(report.dryRun).toBe(true);
      expect(report.entries.map((entry) => entry.status)).toEqual(report.entries.map(() => 'would-replay'));
      const entry = report.entries.find((item) => item.key === failures.halfWritten.key)!;
      const offsets = (partition: 0 | 1, index: number) => outageOf[partition][index]!.record.offset;
      expect(entry.ranges).toEqual([
        expect.objectContaining({
          partition: 0,
          firstOffset: offsets(0, 40),
          lastOffset: offsets(0, 59),
          fromKafka: expect.objectContaining({ firstOffset: offsets(0, 40), lastOffset: offsets(0, 59) }),
          recordsFromKafka: null,
        }),
        expect.objectContaining({ partition: 1, firstOffset: offsets(1, 0), lastOffset: offsets(1, 9) }),
      ]);
      expect(await listing(s3, lake.bucket)).toEqual(before);
    });

    it('WHEN replayed THEN every record given up on is in the lake exactly once, the half-written batch included, and each failure record has its marker', async () => {
      const { exitCode, report, stderr } = await replay(lake);

      expect(exitCode, stderr).toBe(0);
      expect(report.totals.byStatus.replayed).toBe(4);
      expect(report.totals.records).toBe(outage.length);
      expect(report.totals.fromKafka).toBe(outage.length);
      const halfWritten = report.entries.find((entry) => entry.key === failures.halfWritten.key)!;
      expect(halfWritten.batch).toMatchObject({ records: 30, alreadyInLake: 15 });
      expect(halfWritten.marker).toBe(replayMarkerKey(failures.halfWritten.key));
      await expectEachOnce(s3, lake.bucket, everything);
      expect([...(await listing(s3, lake.bucket, REPLAYS_PREFIX)).keys()].sort()).toEqual(
        Object.values(failures)
          .map((failure) => replayMarkerKey(failure.key))
          .sort(),
      );
    });

    it('WHEN run a second time THEN each failure record is already replayed and the lake is unchanged', async () => {
      const before = await listing(s3, lake.bucket);

      const { exitCode, report } = await replay(lake);

      expect(exitCode).toBe(0);
      expect(report.entries.map((entry) => entry.status)).toEqual(
        report.entries.map(() => 'already-replayed'),
      );
      expect(report.entries[0]!.previously?.records).toBeGreaterThan(0);
      expect(await listing(s3, lake.bucket)).toEqual(before);
    });

    it('WHEN the markers are gone and it runs again THEN it replays, and no lake object changes or is added', async () => {
      const objects = await dataObjects(s3, lake.bucket);
      for (const key of (await listing(s3, lake.bucket, REPLAYS_PREFIX)).keys())
        await s3.send(new DeleteObjectCommand({ Bucket: lake.bucket, Key: key }));

      const { exitCode, report } = await replay(lake);

      expect(exitCode).toBe(0);
      expect(report.totals.byStatus.replayed).toBe(4);
      expect(report.totals.alreadyInLake).toBe(outage.length);
      expect(report.totals.objectsWritten).toBe(0);
      expect(await dataObjects(s3, lake.bucket)).toEqual(objects);
      await expectEachOnce(s3, lake.bucket, everything);
    });

    it('THEN after a load, the audit accounts for every offset of the topic, the replayed ones included', async () => {
      const { exitCode, report } = await loadAndAudit();

      expect(exitCode).toBe(0);
      expect(report.unexplained).toBe(0);
      expect(report.offsets.map((p) => p.unaccounted)).toEqual([0, 0]);
      expect(report.offsets.map((p) => p.unverified)).toEqual([0, 0]);
      expect(report.offsets.reduce((total, p) => total + p.accounted, 0)).toBe(everything.length);
    });
  });

  describe('GIVEN failure records of offsets Kafka has since deleted, and damaged ones', () => {
    const s3 = localS3();
    const kafka = localKafka('replay-failed-retention-test');
    const lake = { topic: uniqueName('replay-retention'), bucket: uniqueName('replay-retention') };
    let produced: Produced[];
    let fromPayload: KafkaFailureRecord;
    let partlyLost: KafkaFailureRecord;
    let retained: KafkaFailureRecord;
    const damaged = {
      notJson: {
        key: `aws/lambda/${uniqueName('mapping')}/x-0/2026/01/01/2026-01-01T10.00.00-cut`,
        body: '{"requestContext": {"condition": "Retry',
      },
      noOffsets: {
        key: `aws/lambda/${uniqueName('mapping')}/x-0/2026/01/01/2026-01-01T10.00.01-empty`,
        body: '',
      },
    };

    beforeAll(async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: lake.topic, numPartitions: 1 }], waitForLeaders: true });
        await s3.send(new CreateBucketCommand({ Bucket: lake.bucket }));
        produced = await produceTo(kafka, lake.topic, 0, linesOf(83, 66).slice(0, 60));
        const records = (from: number, to: number) => produced.slice(from, to).map((item) => item.record);
        fromPayload = aKafkaFailureRecord({ records: records(0, 20), withPayload: true });
        partlyLost = aKafkaFailureRecord({ records: records(20, 35), withPayload: false });
        retained = aKafkaFailureRecord({ records: records(40, 60), withPayload: false });
        const withoutRecordsInfo = aKafkaFailureRecord({
          records: records(35, 40),
          withPayload: false,
        }).document;
        delete (withoutRecordsInfo.KafkaBatchInfo as Record<string, unknown>).recordsInfo;
        damaged.noOffsets.body = JSON.stringify(withoutRecordsInfo);
        for (const record of [fromPayload, partlyLost, retained, damaged.notJson, damaged.noOffsets])
          await writeFailureRecord(s3, lake.bucket, record);
        // Retention passes over the first 30 offsets.
        // kafkajs's deleteTopicRecords looks the leader up in metadata it does not refresh itself.
        await admin.fetchTopicMetadata({ topics: [lake.topic] });
        await admin.deleteTopicRecords({ topic: lake.topic, partitions: [{ partition: 0, offset: '30' }] });
      } finally {
        await admin.disconnect();
      }
    }, 120_000);

    it('WHEN replayed THEN deleted offsets come from the payload where there is one, are reported lost (named, exit 1) where not, damaged records are named, and the rest is replayed', async () => {
      const { exitCode, report, stderr } = await replay(lake);

      expect(exitCode).toBe(1);
      expect(stderr).toMatch(
        /^spotify-pipeline: replay-failed: 2 damaged failure records, 10 offsets lost \(each named above\)\n {2}what to do: /,
      );
      const entry = (key: string) => report.entries.find((item) => item.key === key)!;
      expect(entry(fromPayload.key)).toMatchObject({
        status: 'replayed',
        ranges: [
          { firstOffset: 0, lastOffset: 19, fromKafka: null, recordsFromKafka: 0, recordsFromPayload: 20 },
        ],
        batch: { records: 20 },
      });
      expect(entry(partlyLost.key)).toMatchObject({
        status: 'lost',
        ranges: [
          { fromKafka: { firstOffset: 30, lastOffset: 34 }, recordsFromKafka: 5, recordsFromPayload: 0 },
        ],
        lost: [
          {
            topic: lake.topic,
            partition: 0,
            firstOffset: 20,
            lastOffset: 29,
            reason:
              'deleted from the topic (its earliest offset is now 30), and the failure record holds no payload',
          },
        ],
        batch: { records: 5 },
      });
      expect(entry(partlyLost.key).marker).toBeUndefined();
      expect(entry(retained.key)).toMatchObject({ status: 'replayed', ranges: [{ recordsFromKafka: 20 }] });
      expect(entry(damaged.notJson.key)).toMatchObject({ status: 'damaged' });
      expect(entry(damaged.notJson.key).problem).toMatch(
        new RegExp(`^${damaged.notJson.key}: it is not JSON \\(`),
      );
      expect(entry(damaged.noOffsets.key).problem).toBe(
        `${damaged.noOffsets.key}: "KafkaBatchInfo.recordsInfo" is missing: a Kafka failure record names its offsets there`,
      );
      await expectEachOnce(s3, lake.bucket, [
        ...produced.slice(0, 20),
        ...produced.slice(30, 35),
        ...produced.slice(40, 60),
      ]);
    });

    it('WHEN run again, as a table THEN the lost offsets and damaged records are named again, the rest is already replayed, and the lake is unchanged', async () => {
      const objects = await dataObjects(s3, lake.bucket);

      const result = await runCli(replayCommandLine(lake));

      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(`${fromPayload.key}: already replayed at `);
      expect(result.stdout).toContain(`${retained.key}: already replayed at `);
      expect(result.stdout).toContain(
        `${partlyLost.key}: offsets lost (RetryAttemptsExhausted at ${partlyLost.document.timestamp})\n` +
          `  ${lake.topic} partition 0 offsets 20-34: 5 records from Kafka (offsets 30-34)\n` +
          `  ${lake.topic} partition 0 offsets 20-29: LOST: deleted from the topic (its earliest offset is now 30), and the failure record holds no payload\n`,
      );
      expect(result.stdout).toContain(`${damaged.notJson.key}: damaged, not replayed: it is not JSON (`);
      expect(result.stdout).toMatch(
        /\ntotals: 5 failure records: 2 already replayed, 1 with lost offsets, 2 damaged\n {2}5 records replayed \(5 from Kafka, 0 from payloads\): .*; 0 objects written; 10 offsets lost\n$/,
      );
      expect(await dataObjects(s3, lake.bucket)).toEqual(objects);
    });
  });

  describe('GIVEN records the event source dropped and wrote nowhere (what the RecordsLost alarm reports)', () => {
    const kafka = localKafka('replay-offsets-test');
    const lake = { topic: uniqueName('replay-offsets'), bucket: uniqueName('replay-offsets') };
    const group = uniqueName('lake-consumer');
    let workDir: string;
    let warehouse: string;
    let everything: Produced[];
    let dropped: Produced[];

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'replay-offsets-'));
      warehouse = join(workDir, 'warehouse.duckdb');
      const lines = linesOf(97, 110);
      // Dropped: the group moves past `during`, and no failure record says so.
      const produced = await throughAnOutage(kafka, lake, group, {
        before: [lines.slice(0, 40)],
        during: [lines.slice(40, 70)],
        after: [lines.slice(70)],
      });
      dropped = produced.during[0]!;
      everything = [...produced.before, ...dropped, ...produced.after];
    }, 240_000);

    afterAll(() => {
      if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    });

    it('WHEN the ranges the audit names lost are replayed with --offsets THEN each record is in the lake once, a second replay adds nothing, and the audit accounts for every offset', async () => {
      // The audit names what was lost, as the alarm's message says to ask it.
      const before = await loadAndAuditLake(lake, group, warehouse);
      const lostRanges = before.report.offsets.flatMap((p) =>
        p.problems
          .filter((problem) => problem.problem.endsWith('lost'))
          .map((problem) => `${p.topic}:${p.partition}:${problem.from}-${problem.to}`),
      );
      const droppedRange = `${lake.topic}:0:${dropped[0]!.record.offset}-${dropped.at(-1)!.record.offset}`;
      expect(before.exitCode).toBe(1);
      expect(lostRanges).toEqual([droppedRange]);

      const first = await replay(lake, ['--offsets', droppedRange]);
      const second = await replay(lake, ['--offsets', droppedRange]);
      const after = await loadAndAuditLake(lake, group, warehouse);

      expect(first.exitCode, first.stderr).toBe(0);
      expect(first.report.entries).toEqual([
        expect.objectContaining({
          key: `--offsets ${droppedRange}`,
          status: 'replayed',
          lost: [],
          batch: expect.objectContaining({ records: dropped.length, alreadyInLake: 0 }),
        }),
      ]);
      expect(first.report.entries[0]!.marker).toBeUndefined();
      expect(second.exitCode).toBe(0);
      expect(second.report.entries[0]!.batch).toMatchObject({
        records: dropped.length,
        alreadyInLake: dropped.length,
        objectsWritten: 0,
      });
      await expectEachOnce(localS3(), lake.bucket, everything);
      expect(after.exitCode).toBe(0);
      expect(after.report.offsets.map((p) => p.unaccounted)).toEqual([0]);
    });

    it('WHEN asked for offsets the topic never held THEN they are named lost and it exits 1', async () => {
      const end = everything.at(-1)!.record.offset;

      const { exitCode, report, stderr } = await replay(lake, [
        '--offsets',
        `${lake.topic}:0:${end + 1}-${end + 5}`,
      ]);

      expect(exitCode).toBe(1);
      expect(report.entries[0]).toMatchObject({
        status: 'lost',
        lost: [
          {
            topic: lake.topic,
            partition: 0,
            firstOffset: end + 1,
            lastOffset: end + 5,
            reason: `not in the topic, whose last offset is ${end} (was the topic deleted and created again?)`,
          },
        ],
      });
      expect(stderr).toMatch(/5 offsets lost/);
    });

    it('WHEN a range is malformed, or of another topic than --topic THEN it exits 2 saying what to give', async () => {
      const malformed = await runCli([...replayCommandLine(lake), '--offsets', `${lake.topic}:0:9-3`]);
      const otherTopic = await runCli([...replayCommandLine(lake), '--offsets', 'another-topic:0:1-2']);

      expect(malformed.exitCode).toBe(2);
      expect(malformed.stderr).toContain(
        `--offsets "${lake.topic}:0:9-3" is not <topic>:<partition>:<first offset>-<last offset>`,
      );
      expect(otherTopic.exitCode).toBe(2);
      expect(otherTopic.stderr).toContain(
        `--offsets names topic another-topic, but --topic is ${lake.topic}`,
      );
    });
  });
});
