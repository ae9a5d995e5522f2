import { Command } from 'commander';
import type { OffsetRange } from '../../../lambdas/shared/lake/lake-layout.js';
import { CliError } from '../cli-error.js';
import {
  brokersOption,
  bucketOption,
  formatOption,
  iamRegionOption,
  type KafkaFlags,
  kafkaFromFlags,
  type LakeFlags,
  s3EndpointOption,
} from '../common-options.js';
import { s3ClientForCli } from '../lake-bucket.js';
import { parseOffsetRange } from '../option-parsers.js';
import { type ReplayEntry, type ReplayReport, replayFailedBatches } from '../replay/replay-failed-batches.js';

const FORMATS = ['table', 'json'] as const;

interface ReplayFlags extends KafkaFlags, LakeFlags {
  topic?: string;
  dryRun?: boolean;
  offsets: OffsetRange[];
  format: (typeof FORMATS)[number];
}

export function replayFailedCommand(): Command {
  return new Command('replay-failed')
    .description(
      "Replay the batches Lambda's Kafka event source gave up on (its failure records under aws/lambda/ in the lake bucket) through the consumer's core, from Kafka while the topic retains them.",
    )
    .addOption(bucketOption("the lake bucket (the event source mapping's on-failure destination)"))
    .addOption(s3EndpointOption())
    .addOption(brokersOption('bootstrap brokers, comma-separated'))
    .addOption(iamRegionOption())
    .option(
      '--topic <name>',
      'replay only the failure records of this topic (default: every topic they name)',
    )
    .option(
      '--offsets <topic:partition:first-last>',
      'replay these offsets from the topic instead of the failure records: records dropped with no failure record, which the audit lists as lost (repeatable)',
      (text: string, ranges: OffsetRange[]) => [...ranges, parseOffsetRange(text)],
      [],
    )
    .option(
      '--dry-run',
      'say what would be replayed, and from where; read nothing from the topic and write nothing',
    )
    .addOption(formatOption(FORMATS))
    .addHelpText(
      'after',
      '\nA replayed failure record gets a marker, replays/<its key>.json, and is not replayed again; without the\n' +
        "marker a replay is still exactly once (the consumer's writes are conditional and skip offsets the lake holds).\n" +
        "Offsets the topic no longer retains come from the record's payload; without one they are lost.\n" +
        '--offsets replays ranges with no failure record (the audit names them lost; the RecordsLost alarm): from\n' +
        'Kafka only, with no marker, exactly once as well.\n' +
        'Exits 1 when a failure record is damaged, offsets are lost or a batch could not be written; 0 otherwise.\n' +
        'json: {"dryRun", "entries": [{key, status, ranges, lost, batch, marker, problem, ...}], "totals": {...}}.\n\n' +
        'Example:\n  spotify-pipeline replay-failed --bucket spotify-lake --s3-endpoint http://127.0.0.1:4566 --brokers 127.0.0.1:9092',
    )
    .action(async (flags: ReplayFlags) => {
      const kafka = kafkaFromFlags(flags, 'spotify-pipeline-replay');
      const stray = flags.offsets.find((range) => flags.topic !== undefined && range.topic !== flags.topic);
      if (stray !== undefined)
        throw new CliError(
          `--offsets names topic ${stray.topic}, but --topic is ${flags.topic}`,
          'drop --topic (the ranges name their topics), or give ranges of that topic only',
        );
      const report = await replayFailedBatches({
        kafka,
        lake: { s3: s3ClientForCli(flags.s3Endpoint), bucket: flags.bucket },
        ...(flags.topic === undefined ? {} : { topic: flags.topic }),
        dryRun: flags.dryRun === true,
        now: Date.now,
        ...(flags.offsets.length === 0 ? {} : { ranges: flags.offsets }),
      });
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : tableOf(report),
      );
      const { byStatus, offsetsLost } = report.totals;
      const troubles = [
        ...(byStatus.damaged > 0
          ? [`${byStatus.damaged} damaged failure record${plural(byStatus.damaged)}`]
          : []),
        ...(offsetsLost > 0 ? [`${n(offsetsLost)} offset${plural(offsetsLost)} lost`] : []),
        ...(byStatus.failed > 0
          ? [`${byStatus.failed} batch${byStatus.failed === 1 ? '' : 'es'} not replayed`]
          : []),
      ];
      if (troubles.length > 0) {
        process.stderr.write(
          `spotify-pipeline: replay-failed: ${troubles.join(', ')} (each named above)\n` +
            '  what to do: a damaged record is left where it is: read it, and replay its offsets by hand if it names them; ' +
            'lost offsets are gone from Kafka and from the record; a batch not replayed is tried again by the next run\n',
        );
        process.exitCode = 1;
      }
    });
}

function tableOf(report: ReplayReport): string {
  const lines: string[] = [];
  if (report.entries.length === 0) lines.push('no failure records under aws/lambda/: nothing to replay');
  for (const entry of report.entries) lines.push(...entryLines(entry));
  const t = report.totals;
  const s = t.byStatus;
  const counts = [
    [s.replayed, 'replayed'],
    [s['would-replay'], 'to replay'],
    [s['already-replayed'], 'already replayed'],
    [s.lost, 'with lost offsets'],
    [s.failed, 'not replayed'],
    [s.damaged, 'damaged'],
    [s.skipped, 'of other topics'],
  ] as const;
  lines.push(
    `totals: ${t.failureRecords} failure record${plural(t.failureRecords)}` +
      (t.failureRecords === 0
        ? ''
        : `: ${counts
            .filter(([count]) => count > 0)
            .map(([count, what]) => `${count} ${what}`)
            .join(', ')}`),
  );
  if (!report.dryRun)
    lines.push(
      `  ${n(t.records)} record${plural(t.records)} replayed (${n(t.fromKafka)} from Kafka, ${n(t.fromPayload)} from payloads): ` +
        `${n(t.valid)} valid, ${n(t.quarantined)} quarantined, ${n(t.alreadyInLake)} already in the lake; ` +
        `${n(t.objectsWritten)} object${plural(t.objectsWritten)} written; ${n(t.offsetsLost)} offset${plural(t.offsetsLost)} lost`,
    );
  else
    lines.push(
      `  dry run: nothing read or written; ${n(t.offsetsLost)} offset${plural(t.offsetsLost)} would be lost`,
    );
  return `${lines.join('\n')}\n`;
}

function entryLines(entry: ReplayEntry): string[] {
  const why = entry.condition === undefined ? '' : ` (${entry.condition} at ${entry.failedAt})`;
  switch (entry.status) {
    case 'already-replayed': {
      const before = entry.previously;
      return [
        `${entry.key}: already replayed` +
          (before === undefined
            ? ` (${entry.marker})`
            : ` at ${before.replayedAt} (${n(before.records)} records${before.arrivalManifest === null ? '' : `, ${before.arrivalManifest}`})`),
      ];
    }
    case 'damaged':
      return [`${entry.key}: damaged, not replayed: ${entry.problem!.replace(`${entry.key}: `, '')}`];
    case 'skipped':
      return [`${entry.key}: left alone: ${entry.problem}`];
  }
  const verb = {
    replayed: 'replayed',
    'would-replay': 'would replay',
    lost: 'offsets lost',
    failed: 'not replayed',
  }[entry.status];
  const lines = [`${entry.key}: ${verb}${why}`];
  for (const range of entry.ranges) lines.push(`  ${rangeLine(range)}: ${sources(range)}`);
  for (const lost of entry.lost) lines.push(`  ${rangeLine(lost)}: LOST: ${lost.reason}`);
  if (entry.batch !== undefined) {
    const b = entry.batch;
    lines.push(
      `  ${n(b.records)} record${plural(b.records)}: ${n(b.valid)} valid, ${n(b.quarantined)} quarantined, ` +
        `${n(b.alreadyInLake)} already in the lake; ${n(b.objectsWritten)} object${plural(b.objectsWritten)} written`,
    );
    for (const key of [...b.bronze, ...b.quarantine]) lines.push(`    ${key}`);
    if (b.arrivalManifest !== null) lines.push(`  arrival manifest ${b.arrivalManifest}`);
  }
  if (entry.marker !== undefined) lines.push(`  marker ${entry.marker}`);
  if (entry.problem !== undefined) lines.push(`  ${entry.problem}`);
  return lines;
}

function rangeLine(range: OffsetRange): string {
  const span =
    range.firstOffset === range.lastOffset
      ? `offset ${n(range.firstOffset)}`
      : `offsets ${n(range.firstOffset)}-${n(range.lastOffset)}`;
  return `${range.topic} partition ${range.partition} ${span}`;
}

function sources(range: ReplayEntry['ranges'][number]): string {
  const parts: string[] = [];
  if (range.fromKafka !== null) {
    const offsets = `${n(range.fromKafka.firstOffset)}-${n(range.fromKafka.lastOffset)}`;
    parts.push(
      range.recordsFromKafka === null
        ? `offsets ${offsets} from Kafka`
        : `${n(range.recordsFromKafka)} record${plural(range.recordsFromKafka)} from Kafka (offsets ${offsets})`,
    );
  }
  if (range.recordsFromPayload > 0)
    parts.push(
      `${n(range.recordsFromPayload)} record${plural(range.recordsFromPayload)} from the failure record's payload`,
    );
  return parts.length === 0 ? 'nothing to read' : parts.join(', ');
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}
