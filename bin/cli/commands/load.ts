import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command } from 'commander';
import { type LakeBacklog, type LoadProgress, loadLake } from '../../../lambdas/loader/load-lake.js';
import { loadLakeIntoDuckDb } from '../../../lambdas/loader/load-lake-into-duckdb.js';
import { SnowflakeLakeStager } from '../../../lambdas/loader/snowflake-lake-stager.js';
import { parseZonedTimestamp } from '../../../lambdas/shared/event-contract/zoned-timestamp.js';
import { DuckDbWarehouse, openDuckDbWarehouse } from '../../../lambdas/shared/warehouse/duckdb-warehouse.js';
import { snowflakeSettingsFromSecret } from '../../../lambdas/shared/warehouse/snowflake-settings.js';
import { openSnowflakeWarehouse } from '../../../lambdas/shared/warehouse/snowflake-warehouse.js';
import type { Warehouse } from '../../../lambdas/shared/warehouse/warehouse.js';
import { CliError } from '../cli-error.js';
import { s3ClientForCli } from '../lake-bucket.js';
import { ProgressReporter } from '../progress-reporter.js';
import { parseWarehouseOption } from '../warehouse-option.js';

const HOUR_MS = 3_600_000;
/** Without --from, hours this far back are considered: late events (hours old) still find their way in. */
const DEFAULT_LOOKBACK_DAYS = 7;
/** Set by tests only: kill the process inside the load's transaction, before it commits. */
const CRASH_BEFORE_COMMIT = 'SPOTIFY_PIPELINE_TEST_CRASH_BEFORE_COMMIT';

export function loadCommand(): Command {
  return new Command('load')
    .description(
      "Load the lake's new bronze files into the warehouse, exactly once (a ledger records every file).",
    )
    .requiredOption('--bucket <name>', 'the lake bucket')
    .option('--s3-endpoint <url>', 'a local S3 server, e.g. http://127.0.0.1:4566 (default: AWS)')
    .requiredOption(
      '--warehouse <target>',
      'duckdb:PATH (an embedded file, created when missing) or snowflake',
    )
    .option('--from <iso>', `first hour to consider (default: ${DEFAULT_LOOKBACK_DAYS} days ago)`)
    .option('--to <iso>', 'end of the last hour to consider (default: now)')
    .option('--include-open-hour', 'also load the hour still being written (default: closed hours only)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  spotify-pipeline load --bucket spotify-lake --s3-endpoint http://127.0.0.1:4566 --warehouse duckdb:.cache/warehouse.duckdb\n' +
        '  spotify-pipeline load ... --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z   (a backfill)',
    )
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      const target = parseWarehouseOption(flags.warehouse as string);
      const nowMs = Date.now();
      const fromMs =
        flags.from === undefined
          ? nowMs - DEFAULT_LOOKBACK_DAYS * 24 * HOUR_MS
          : timeFlag('--from', flags.from as string);
      const toMs = flags.to === undefined ? nowMs + HOUR_MS : timeFlag('--to', flags.to as string);
      if (toMs <= fromMs)
        throw new CliError(
          '--to must be later than --from',
          'e.g. --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z',
        );
      const endpoint = flags.s3Endpoint as string | undefined;
      let progress: ProgressReporter | undefined;
      const common = {
        s3: s3ClientForCli(endpoint),
        bucket: flags.bucket as string,
        window: { fromMs: Math.floor(fromMs / HOUR_MS) * HOUR_MS, toMs },
        nowMs,
        includeOpenHour: flags.includeOpenHour === true,
        reportBacklog: (backlog: LakeBacklog) => {
          progress = new ProgressReporter('loaded', backlog.files, 'files');
        },
        reportCommitted: (committed: LoadProgress) => progress?.update(committed.filesLoaded),
        beforeCommit:
          process.env[CRASH_BEFORE_COMMIT] === '1'
            ? () => void process.kill(process.pid, 'SIGKILL')
            : undefined,
      };
      const warehouse =
        target.kind === 'duckdb'
          ? await openDuckDbWarehouse(target.path)
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
        process.stderr.write(
          `loaded ${summary.filesLoaded.toLocaleString('en-US')} files (${summary.rowsInFiles.toLocaleString('en-US')} lines) in ${seconds.toFixed(1)} s: ` +
            `${summary.rowsInserted.toLocaleString('en-US')} new rows, ${summary.linesRejected.toLocaleString('en-US')} lines rejected; ` +
            `days touched: ${summary.daysTouched.length}` +
            (summary.filesReadLineByLine > 0
              ? `; ${summary.filesReadLineByLine.toLocaleString('en-US')} files the JSON reader refused were read line by line\n`
              : '\n'),
        );
      } finally {
        await warehouse.close();
      }
    });
}

/** Snowflake from this machine: the same secret the deployed loader reads, named by SNOWFLAKE_SECRET_ID. */
async function openSnowflakeFromEnvironment(): Promise<Warehouse> {
  const secretId = process.env.SNOWFLAKE_SECRET_ID;
  if (!secretId) {
    throw new CliError(
      '--warehouse snowflake needs the Snowflake secret: SNOWFLAKE_SECRET_ID is not set',
      'set SNOWFLAKE_SECRET_ID to the secret the stack created (README: Snowflake prerequisites), with AWS credentials that can read it',
    );
  }
  return openSnowflakeWarehouse(await snowflakeSettingsFromSecret(new SecretsManagerClient({}), secretId));
}

function timeFlag(flag: string, text: string): number {
  const parsed = parseZonedTimestamp(text);
  if (!parsed.ok)
    throw new CliError(`${flag} "${text}" ${parsed.reason}`, `e.g. ${flag} 2026-01-01T00:00:00Z`);
  return parsed.epochMs;
}
