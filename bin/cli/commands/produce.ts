import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { logLevel } from 'kafkajs';
import { ensureTopic } from '../../../lambdas/producer/ensure-topic.js';
import { type ProducerStats, produceEvents } from '../../../lambdas/producer/event-producer.js';
import { DEFAULT_START_MS, generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { eventTimePacer, fixedRatePacer, unpaced } from '../../../lambdas/producer/pacers.js';
import { connectKafka } from '../../../lambdas/shared/kafka/kafka-connection.js';
import { DEFAULT_PARTITION_COUNT } from '../../../lambdas/shared/kafka/pipeline-topic.js';
import { CliError } from '../cli-error.js';
import { brokersOption, topicOption } from '../common-options.js';
import { parseBrokersFlag, parseShare, parseWholeNumber } from '../option-parsers.js';

export function produceCommand(): Command {
  return new Command('produce')
    .description('Send listening events to a Kafka topic: generated ones, or a file replayed line by line.')
    .addOption(brokersOption('bootstrap brokers, comma-separated (a local broker, plaintext)'))
    .addOption(topicOption('topic to send to; created when missing'))
    .option(
      '--partitions <n>',
      'partitions for a topic this command creates',
      String(DEFAULT_PARTITION_COUNT),
    )
    .option('--rate <n>', 'events a second; 0 sends as fast as the broker takes them', '1')
    .option(
      '--count <n>',
      'stop after this many events (default: generated events never stop; a file stops at its end)',
    )
    .option('--seed <n>', 'random seed of the generated events', '1')
    .option('--users <n>', 'users in the generated catalogue', '20')
    .option('--songs <n>', 'songs in the generated catalogue', '6')
    .option('--faults <rate>', 'share of generated lines that are faults (see generate --help)', '0')
    .option(
      '--from-file <file>',
      "send this file's lines exactly as they are, valid or not, instead of generating",
    )
    .addHelpText(
      'after',
      '\nGenerated events at a rate above 0 go out when they happen (event time keeps step with the clock);\n' +
        'at --rate 0 they go as fast as possible, with the simulated times `generate` gives (from 2026-01-01T00:00:00Z),\n' +
        'so a --rate 0 run and `generate` with the same seed hold the same events.\n' +
        'Ctrl-C stops taking events and sends what was taken before exiting.\n\n' +
        'Examples:\n' +
        '  spotify-pipeline produce --brokers 127.0.0.1:9092\n' +
        '  spotify-pipeline produce --brokers 127.0.0.1:9092 --rate 0 --count 100000 --faults 0.02\n' +
        '  spotify-pipeline produce --brokers 127.0.0.1:9092 --from-file events.ndjson --rate 0',
    )
    .action(async (flags: Record<string, string | undefined>) => {
      const brokers = parseBrokersFlag(flags.brokers!);
      const rate = parseWholeNumber('--rate', flags.rate!);
      const count = flags.count === undefined ? undefined : parseWholeNumber('--count', flags.count);
      const partitions = parseWholeNumber('--partitions', flags.partitions!);
      if (partitions < 1) throw new CliError('--partitions must be at least 1', 'e.g. --partitions 6');
      const source = flags.fromFile
        ? await fileLines(flags.fromFile, count)
        : generatedLines(flags, rate, count ?? Number.MAX_SAFE_INTEGER);
      const pacer = rate === 0 ? unpaced : flags.fromFile ? fixedRatePacer(rate) : eventTimePacer();

      const kafka = connectKafka({
        brokers,
        clientId: 'spotify-pipeline-cli',
        auth: { kind: 'plaintext' },
        logLevel: logLevel.NOTHING,
      });
      const topic = flags.topic!;
      await ensureTopic(kafka, topic, partitions);
      const stop = new AbortController();
      const onSignal = () => {
        process.stderr.write('\nstopping: sending what was taken…\n');
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const final = await produceEvents({
          kafka,
          topic,
          lines: source,
          pacer,
          signal: stop.signal,
          reporter: { throughput: reportToStderr },
        });
        process.stderr.write(
          `sent ${final.sent.toLocaleString('en-US')} events to ${topic} in ${final.elapsedSeconds.toFixed(1)} s\n`,
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function generatedLines(
  flags: Record<string, string | undefined>,
  rate: number,
  count: number,
): Iterable<string> {
  const options = {
    seed: parseWholeNumber('--seed', flags.seed!),
    count,
    users: parseWholeNumber('--users', flags.users!),
    songs: parseWholeNumber('--songs', flags.songs!),
    faultRate: parseShare('--faults', flags.faults!),
    // Live events happen now; a bulk run replays the same simulated history `generate` writes.
    startMs: rate > 0 ? Date.now() : DEFAULT_START_MS,
    eventsPerSecond: rate > 0 ? rate : undefined,
  };
  return (function* () {
    for (const line of generateEventLines(options)) yield line.text;
  })();
}

async function fileLines(path: string, count: number | undefined): Promise<AsyncIterable<string>> {
  try {
    await access(path);
  } catch {
    throw new CliError(
      `--from-file ${path} cannot be read`,
      'check the path; spotify-pipeline generate --out FILE makes one',
    );
  }
  return (async function* () {
    let taken = 0;
    for await (const line of createInterface({
      input: createReadStream(path),
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (count !== undefined && taken++ >= count) return;
      yield line;
    }
  })();
}

function reportToStderr(stats: ProducerStats): void {
  process.stderr.write(
    `sent ${stats.sent.toLocaleString('en-US')} events (${Math.round(stats.recentEventsPerSecond).toLocaleString('en-US')}/s lately, ${stats.elapsedSeconds.toFixed(0)} s)\n`,
  );
}
