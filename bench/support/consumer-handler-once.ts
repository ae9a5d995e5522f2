import { gzipSync } from 'node:zlib';
import { consumeBatch } from '../../lambdas/consumer/consume-batch.js';
import { type MskEvent, type MskRecord, topicPartitionName } from '../../lambdas/consumer/msk-event.js';
import { generateEventLines } from '../../lambdas/producer/generator/generate-events.js';
import { DEFAULT_EVENTS_TOPIC } from '../../lambdas/shared/kafka/pipeline-topic.js';
import { benchS3, newBucket } from './local-stack-for-bench.js';

/**
 * One measurement in a process of its own, so that its peak memory is the batch's alone, as in a
 * Lambda function: `handler` runs the consumer's core on a 10,000-record batch of about 5 MB,
 * writing to the local S3 server; `bare` only decodes, parses and gzips the same records.
 * Prints one JSON line: { seconds, maxRssMb, megabytes }.
 */
const [mode, s3Endpoint] = process.argv.slice(2) as ['handler' | 'bare', string];
const RECORDS = 10_000;
// Long titles, as remasters and deluxe editions have, bring the batch to the ~5 MB the event source allows near its 6 MB cap.
const TITLE_SUFFIX =
  ' (Remastered 2011) [Deluxe Edition] - Live at the Royal Albert Hall, 14 May 1985, with the London Symphony Orchestra';

const records: MskRecord[] = [];
let bytes = 0;
let offset = 0;
for (const line of generateEventLines({
  seed: 9,
  count: RECORDS,
  eventsPerSecond: 50,
  users: 10_000,
  songs: 2_000,
})) {
  const value = line.text.replace(
    /"song_name":"((?:[^"\\]|\\.)*)"/,
    (_, name) => `"song_name":"${name}${TITLE_SUFFIX}"`,
  );
  bytes += Buffer.byteLength(value);
  records.push({
    topic: DEFAULT_EVENTS_TOPIC,
    partition: 0,
    offset: offset++,
    timestamp: Date.now(),
    timestampType: 'CREATE_TIME',
    key: Buffer.from(`user_${offset % 500}`).toString('base64'),
    value: Buffer.from(value).toString('base64'),
    headers: [],
  });
}
const event: MskEvent = {
  eventSource: 'aws:kafka',
  records: { [topicPartitionName(DEFAULT_EVENTS_TOPIC, 0)]: records },
};

const s3 = benchS3(s3Endpoint);
const bucket = mode === 'handler' ? await newBucket(s3, `bench-${process.pid}-${Date.now()}`) : '';
const started = performance.now();
if (mode === 'handler') {
  const { metrics } = await consumeBatch(event, { s3, bucket }, Date.now());
  if (metrics.valid !== RECORDS) throw new Error(`expected ${RECORDS} valid records, got ${metrics.valid}`);
} else {
  const lines: string[] = [];
  for (const record of records)
    lines.push(JSON.stringify(JSON.parse(Buffer.from(record.value!, 'base64').toString('utf8'))));
  gzipSync(`${lines.join('\n')}\n`);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, megabytes: bytes / 1e6 })}\n`,
);
