import { Command } from 'commander';
import {
  type LakeBacklog,
  type LoadProgress,
  type LoadSource,
  type LoadSummary,
  loadLake,
} from '../../../lambdas/loader/load-lake.js';
import { SnowflakeLakeStager } from '../../../lambdas/loader/snowflake-lake-stager.js';
import { parseZonedTimestamp } from '../../../lambdas/shared/event-contract/zoned-timestamp.js';
import { loadLakeIntoDuckDb } from '../../../local/loader/load-lake-into-duckdb.js';
import { localRunId } from '../../../local/pipeline/local-run-id.js';
import { DuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';
import { CliError } from '../cli-error.js';
import { bucketOption, s3EndpointOption } from '../common-options.js';
import { s3ClientForCli } from '../lake-bucket.js';
import { parseWholeNumber } from '../option-parsers.js';
import { ProgressReporter } from '../progress-reporter.js';
import {
  openLocalWarehouse,
  openSnowflakeFromEnvironment,
  parseWarehouseOption,
  warehouseOption,
} from '../warehouse-option.js';

const HOUR_MS = 3_600_000;
/** Set by tests only: kill the process inside the load's first transaction, before it commits. */
const CRASH_BEFORE_COMMIT = 'SPOTIFY_PIPELINE_TEST_CRASH_BEFORE_COMMIT';
/** Set by tests only: kill the process right after the load's first transaction commits. */
const CRASH_AFTER_COMMIT = 'SPOTIFY_PIPELINE_TEST_CRASH_AFTER_COMMIT';

export function loadCommand(): Command {
  return new Command('load')
    .description(
      "Load the lake's new bronze files into the warehouse, exactly once (a ledger records every file).",
    )
    .addOption(bucketOption('the lake bucket'))
    .addOption(s3EndpointOption())
    .addOption(warehouseOption('duckdb:PATH (an embedded file, created when missing) or snowflake'))
    .option('--from <iso>', 'a backfill: load the bronze/ hour folders (event time) from this hour on')
    .option('--to <iso>', 'with --from: end of the last hour of the backfill (default: now)')
    .option(
      '--files-per-transaction <n>',
      'files loaded and recorded per transaction, 1 to 1,000 (Snowflake: per COPY); each commit stays if a later one fails',
      '500',
    )
    .addHelpText(
      'after',
      '\nWithout --from, a load takes every file that arrived in the lake since the last load (the\n' +
        "consumer's arrival manifests under arrivals/), whatever its events' times: a late event from\n" +
        'last year is loaded like one from a minute ago. --from/--to instead walk the bronze/ hour\n' +
        'folders of a time range: for files written before arrival manifests existed, or a restored object.\n' +
        '\nExamples:\n' +
        '  spotify-pipeline load --bucket spotify-lake --s3-endpoint http://127.0.0.1:4566 --warehouse duckdb:.cache/warehouse.duckdb\n' +
        '  spotify-pipeline load ... --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z   (a backfill)',
    )
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      const target = parseWarehouseOption(flags.warehouse as string);
      const nowMs = Date.now();
      if (flags.to !== undefined && flags.from === undefined)
        throw new CliError(
          '--to needs --from: a backfill is a time range',
          'e.g. --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z',
        );
      const source: LoadSource =
        flags.from === undefined
          ? { kind: 'arrivals' }
          : { kind: 'window', window: backfillWindow(flags, nowMs) };
      const endpoint = flags.s3Endpoint as string | undefined;
      let progress: ProgressReporter | undefined;
      let committed = 0;
      const crashAt = (variable: string) =>
        process.env[variable] === '1'
          ? () => {
              if (committed === 0) process.kill(process.pid, 'SIGKILL');
            }
          : undefined;
      const common = {
        s3: s3ClientForCli(endpoint),
        bucket: flags.bucket as string,
        source,
        runId: localRunId('load', nowMs),
        nowMs,
        reportBacklog: (backlog: LakeBacklog) => {
          progress = new ProgressReporter('loaded', backlog.files, 'files');
        },
        reportCommitted: (progressSoFar: LoadProgress) => {
          committed++;
          progress?.update(progressSoFar.filesLoaded);
        },
        beforeCommit: crashAt(CRASH_BEFORE_COMMIT),
        afterCommit: crashAt(CRASH_AFTER_COMMIT),
        filesPerTransaction: filesPerTransactionFlag(flags.filesPerTransaction as string),
      };
      const warehouse =
        target.kind === 'duckdb'
          ? await openLocalWarehouse(target.path)
          : await openSnowflakeFromEnvironment();
      const started = performance.now();
      try {
        const summary =
          warehouse instanceof DuckDbWarehouse
            ? await loadLakeIntoDuckDb({ ...common, warehouse })
            : await loadLake({
                ...common,
                warehouse,
                stager: new SnowflakeLakeStager(warehouse, { s3: common.s3, bucket: common.bucket }),
              });
        progress?.finish(summary.filesLoaded);
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(describeLoad(summary, seconds, source));
        if (summary.skipped.length > 0) process.exitCode = 1;
      } finally {
        await warehouse.close();
      }
    });
}

function filesPerTransactionFlag(text: string): number {
  const value = parseWholeNumber('--files-per-transaction', text);
  if (value < 1 || value > 1_000)
    throw new CliError(
      `--files-per-transaction ${value} is outside 1 to 1,000`,
      'e.g. --files-per-transaction 500',
    );
  return value;
}

function backfillWindow(flags: Record<string, string | boolean | undefined>, nowMs: number) {
  const fromMs = timeFlag('--from', flags.from as string);
  const toMs = flags.to === undefined ? nowMs + HOUR_MS : timeFlag('--to', flags.to as string);
  if (toMs <= fromMs)
    throw new CliError(
      '--to must be later than --from',
      'e.g. --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z',
    );
  return { fromMs: Math.floor(fromMs / HOUR_MS) * HOUR_MS, toMs };
}

/** What a load did, for people: totals, then every file it did not load with why, and what is left. */
export function describeLoad(summary: LoadSummary, seconds: number, source: LoadSource): string {
  const count = (value: number) => value.toLocaleString('en-US');
  const lines = [
    `loaded ${count(summary.filesLoaded)} files (${count(summary.rowsInFiles)} lines) in ${seconds.toFixed(1)} s: ` +
      `${count(summary.rowsInserted)} new rows, ${count(summary.linesRejected)} lines rejected; ` +
      `days touched: ${summary.daysTouched.length}` +
      (source.kind === 'arrivals'
        ? `; arrival manifests recorded: ${count(summary.manifestsRecorded)}`
        : '') +
      (summary.filesReadLineByLine > 0
        ? `; ${count(summary.filesReadLineByLine)} files the JSON reader refused were read line by line`
        : ''),
  ];
  for (const file of summary.skipped) lines.push(`not loaded: ${file.key}: ${file.reason}`);
  if (summary.filesLeftForNextRun > 0)
    lines.push(`left for the next load: ${count(summary.filesLeftForNextRun)} files (run load again)`);
  return `${lines.join('\n')}\n`;
}

function timeFlag(flag: string, text: string): number {
  const parsed = parseZonedTimestamp(text);
  if (!parsed.ok)
    throw new CliError(`${flag} "${text}" ${parsed.reason}`, `e.g. ${flag} 2026-01-01T00:00:00Z`);
  return parsed.epochMs;
}
