import { Command } from 'commander';
import { logLevel } from 'kafkajs';
import { connectKafka } from '../../../lambdas/shared/kafka/kafka-connection.js';
import { runLocalConsumer } from '../../../local/consumer/local-kafka-consumer.js';
import { CliError } from '../cli-error.js';
import {
  brokersOption,
  bucketOption,
  consumerGroupOption,
  s3EndpointOption,
  topicOption,
} from '../common-options.js';
import { ensureBucket, s3ClientForCli } from '../lake-bucket.js';
import { parseBrokersFlag, parseWholeNumber } from '../option-parsers.js';

/** Set by tests only: kill the process after a batch is written and before its offsets are committed. */
const CRASH_BEFORE_COMMIT = 'SPOTIFY_PIPELINE_TEST_CRASH_BEFORE_COMMIT';

export function consumeCommand(): Command {
  return new Command('consume')
    .description(
      'Read the topic into the lake with the Lambda consumer, run here: bronze/ for events, quarantine/ for the rest.',
    )
    .addOption(brokersOption('bootstrap brokers, comma-separated (a local broker, plaintext)'))
    .addOption(topicOption('topic to read'))
    .addOption(bucketOption('lake bucket; created when missing'))
    .addOption(s3EndpointOption())
    .addOption(consumerGroupOption('consumer group; offsets are committed after each batch is in the lake'))
    .option(
      '--batch-size <n>',
      'records per handler call, at most (the MSK event source allows 10,000)',
      '1000',
    )
    .option('--max-wait-ms <n>', 'how long a fetch waits for records', '500')
    .option('--until-idle', 'stop once the topic is drained (default: run until Ctrl-C)')
    .addHelpText(
      'after',
      '\nExample:\n  spotify-pipeline consume --brokers 127.0.0.1:9092 --bucket spotify-lake --s3-endpoint http://127.0.0.1:4566 --until-idle',
    )
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      const brokersText = flags.brokers as string;
      const brokers = parseBrokersFlag(brokersText);
      const batchSize = parseWholeNumber('--batch-size', flags.batchSize as string);
      if (batchSize < 1 || batchSize > 10_000)
        throw new CliError('--batch-size must be from 1 to 10,000', 'e.g. --batch-size 1000');
      const maxWaitMs = parseWholeNumber('--max-wait-ms', flags.maxWaitMs as string);
      const endpoint = flags.s3Endpoint as string | undefined;
      const bucket = flags.bucket as string;
      const s3 = s3ClientForCli(endpoint);
      await ensureBucket(s3, bucket);

      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = performance.now();
      try {
        const totals = await runLocalConsumer({
          kafka: connectKafka({
            brokers,
            clientId: 'spotify-pipeline-consumer',
            auth: { kind: 'plaintext' },
            logLevel: logLevel.NOTHING,
          }),
          topic: flags.topic as string,
          groupId: flags.group as string,
          lake: { s3, bucket },
          batchSize,
          maxWaitMs,
          untilIdle: flags.untilIdle === true,
          signal: stop.signal,
          onBatch: (metrics, errors) => {
            for (const failure of errors)
              process.stderr.write(`could not write ${failure.key}: ${failure.error}; fetching again\n`);
            if (process.stderr.isTTY) {
              process.stderr.write(
                `batch: ${metrics.recordsIn} records, ${metrics.valid} valid, ${metrics.quarantined} quarantined\n`,
              );
            }
          },
          beforeCommit:
            process.env[CRASH_BEFORE_COMMIT] === '1'
              ? () => void process.kill(process.pid, 'SIGKILL')
              : undefined,
        });
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(
          `consumed ${totals.recordsIn.toLocaleString('en-US')} records in ${seconds.toFixed(1)} s: ` +
            `${totals.valid.toLocaleString('en-US')} valid, ${totals.quarantined.toLocaleString('en-US')} quarantined, ` +
            `${totals.objectsWritten} objects (${totals.bytesWritten.toLocaleString('en-US')} bytes) written to s3://${bucket}\n`,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
