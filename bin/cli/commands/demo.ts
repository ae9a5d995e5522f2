import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Command } from 'commander';
import { logLevel } from 'kafkajs';
import { produceEvents } from '../../../lambdas/producer/event-producer.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { eventTimePacer } from '../../../lambdas/producer/pacers.js';
import { connectKafka } from '../../../lambdas/shared/kafka/kafka-connection.js';
import { GOLD_REPORT_MODELS, readGoldReport } from '../../../lambdas/shared/transform/gold-report.js';
import { DEFAULT_SQL_DIR, readDuckDbCompatibilitySql } from '../../../lambdas/shared/warehouse/sql-files.js';
import { consumeUntilIdle, type DemoRun, localS3Client, runDemo } from '../../../local/demo/run-demo.js';
import { localRunId } from '../../../local/pipeline/local-run-id.js';
import { runPipelineOnce } from '../../../local/pipeline/run-pipeline-once.js';
import {
  type LocalServiceName,
  startLocalStack,
  stopLocalStack,
} from '../../../local/services/local-stack.js';
import { cacheDir } from '../../../local/tooling/cache-dir.js';
import { openDuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';
import { runAudit } from '../audit/run-audit.js';
import { CliError } from '../cli-error.js';
import { readDashboardData } from '../dashboard/dashboard-data.js';
import type { DashboardServer } from '../dashboard/dashboard-server.js';
import { parseShare, parseWholeNumber } from '../option-parsers.js';
import { DEFAULT_DASHBOARD_PORT, describeSize, sleep, startServer, writeDashboard } from './dashboard.js';
import { type PortOptions, portsFrom, withPortOptions } from './local.js';
import { formatReport } from './report.js';

const FOLLOW_REFRESH_MS = 15_000;
/** How often the live page asks for new numbers; the demo has new ones every FOLLOW_REFRESH_MS. */
const FOLLOW_PAGE_REFRESH_SECONDS = 5;

export function demoCommand(): Command {
  return withPortOptions(new Command('demo'))
    .description(
      'Run the whole pipeline here: local services, produce, consume into the lake, load, transform, and the gold KPIs.',
    )
    .option('--events <n>', 'events to generate', '5000')
    .option('--seed <n>', 'random seed of the generated events', '7')
    .option('--faults <rate>', 'share of lines that are duplicates, late events or malformed records', '0.02')
    .option(
      '--follow',
      `then keep producing at 1 event/s and refresh the KPIs every ${FOLLOW_REFRESH_MS / 1000} s, serving the dashboard live, until Ctrl-C`,
    )
    .option(
      '--port <n>',
      'the port --follow serves the dashboard on (0 picks a free port)',
      String(DEFAULT_DASHBOARD_PORT),
    )
    .addHelpText(
      'after',
      '\nThe local services are started if they are not running, and stopped at the end if the demo started them.\n' +
        'The warehouse stays in .cache/demo/warehouse.duckdb for `spotify-pipeline report --warehouse duckdb:.cache/demo/warehouse.duckdb`,\n' +
        'and the dashboard in .cache/demo/dashboard.html: the demo ends by printing its path.',
    )
    .action(async (flags: Record<string, string | boolean | undefined> & PortOptions) => {
      const events = parseWholeNumber('--events', flags.events as string);
      if (events < 1) throw new CliError('--events must be at least 1', 'e.g. --events 5000');
      const seed = parseWholeNumber('--seed', flags.seed as string);
      const faultRate = parseShare('--faults', flags.faults as string);
      const port = parseWholeNumber('--port', flags.port as string);
      const say = (line: string) => process.stderr.write(`${line}\n`);

      say('starting the local services (Kafka, S3)…');
      const ports = portsFrom(flags);
      const stack = await startLocalStack({ ...ports, reportProgress: (line) => say(`  ${line}`) });
      const startedHere: LocalServiceName[] = stack.services
        .filter((service) => service.startedNow)
        .map((service) => service.name);
      let dashboard: string | undefined;
      try {
        const run = await runDemo({
          events,
          seed,
          faultRate,
          kafkaBrokers: stack.kafkaBrokers,
          s3Endpoint: stack.s3Endpoint,
          workDir: cacheDir('demo'),
          reportProgress: say,
        });
        process.stdout.write(
          `\n${formatReport(
            GOLD_REPORT_MODELS.map((model) => ({ model, rows: run.report[model] })),
            'table',
            10,
            false,
          )}\n`,
        );
        say(summaryOf(run));
        const s3 = localS3Client(stack.s3Endpoint);
        say(await auditOf(run, stack.kafkaBrokers, s3));
        dashboard = await writeDashboard(
          await readDemoDashboard(run, s3, null),
          join(cacheDir('demo'), 'dashboard.html'),
        );
        if (flags.follow === true) {
          say(`dashboard: ${dashboard} (${describeSize(dashboard)})`);
          const server = await startServer(
            port,
            await readDemoDashboard(run, s3, FOLLOW_PAGE_REFRESH_SECONDS),
          );
          try {
            await follow(run, stack.kafkaBrokers, server, s3, say);
          } finally {
            await server.close();
          }
        }
      } finally {
        if (startedHere.length > 0) {
          say(`stopping the services the demo started: ${startedHere.join(', ')}`);
          await stopLocalStack({ ...ports, services: startedHere });
        }
      }
      // Last, so that it is the line a person sees when the demo ends.
      if (dashboard !== undefined)
        say(`dashboard: ${dashboard} (${describeSize(dashboard)}): open it in a browser`);
    });
}

function summaryOf(run: DemoRun): string {
  const stageTimes = run.stages.map((stage) => `${stage.name} ${stage.seconds.toFixed(1)} s`).join(', ');
  return (
    `summary: ${run.eventsProduced.toLocaleString('en-US')} events produced, ` +
    `${run.recordsConsumed.toLocaleString('en-US')} records consumed, ` +
    `${run.objectsWritten.toLocaleString('en-US')} lake objects written, ` +
    `${run.rowsLoaded.toLocaleString('en-US')} rows loaded, ` +
    `${run.recordsQuarantined.toLocaleString('en-US')} records quarantined\n` +
    `time per stage: ${stageTimes}\n` +
    `warehouse: ${run.warehousePath}`
  );
}

/** The audit of what the demo just did, in one line: every offset and every record accounted for. */
async function auditOf(run: DemoRun, kafkaBrokers: string, s3: S3Client): Promise<string> {
  const kafka = connectKafka({
    brokers: [kafkaBrokers],
    clientId: 'spotify-pipeline-demo',
    auth: { kind: 'plaintext' },
    logLevel: logLevel.NOTHING,
  });
  const warehouse = await openDuckDbWarehouse(run.warehousePath, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
  try {
    const report = await runAudit({
      kafka,
      topic: run.topic,
      groupId: run.groupId,
      lake: { s3, bucket: run.bucket },
      warehouse,
      nowMs: Date.now(),
    });
    const offsets = report.offsets.reduce((total, p) => total + Math.max(0, p.to - p.from + 1), 0);
    const unaccounted = report.offsets.reduce((total, p) => total + p.unaccounted, 0);
    if (unaccounted > 0 || report.unexplained > 0) process.exitCode = 1;
    return (
      `audit: ${offsets.toLocaleString('en-US')} offsets, ${unaccounted.toLocaleString('en-US')} unaccounted; ` +
      `${report.unexplained.toLocaleString('en-US')} records unexplained from the lake to gold` +
      (report.findings.length > 0 ? ` (first: ${report.findings[0]!.problem})` : '')
    );
  } finally {
    await warehouse.close();
  }
}

/** The dashboard's numbers for the demo's warehouse and lake (`refreshSeconds` when served live). */
async function readDemoDashboard(run: DemoRun, s3: S3Client, refreshSeconds: number | null) {
  const warehouse = await openDuckDbWarehouse(run.warehousePath, readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
  try {
    return await readDashboardData({
      warehouse,
      source: `duckdb:${run.warehousePath}`,
      lake: { s3, bucket: run.bucket },
      refreshSeconds,
    });
  } finally {
    await warehouse.close();
  }
}

/**
 * Live mode: events at the seed's pace, and the KPIs brought up to date on a short cycle, in the
 * terminal and on the dashboard the demo serves.
 */
async function follow(
  run: DemoRun,
  kafkaBrokers: string,
  server: DashboardServer,
  s3: S3Client,
  say: (line: string) => void,
): Promise<void> {
  const kafka = connectKafka({
    brokers: [kafkaBrokers],
    clientId: 'spotify-pipeline-demo',
    auth: { kind: 'plaintext' },
    logLevel: logLevel.NOTHING,
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  say(
    `following: producing 1 event/s to ${run.topic}; the KPIs refresh every ${FOLLOW_REFRESH_MS / 1000} s (Ctrl-C to stop)`,
  );
  say(`live dashboard: ${server.url}`);
  const live = (function* () {
    for (const line of generateEventLines({
      seed: Date.now() % 2 ** 32,
      count: Number.MAX_SAFE_INTEGER,
      startMs: Date.now(),
      eventsPerSecond: 1,
    })) {
      yield line.text;
    }
  })();
  const producing = produceEvents({
    kafka,
    topic: run.topic,
    lines: live,
    pacer: eventTimePacer(),
    signal: stop.signal,
  });
  try {
    while (!stop.signal.aborted) {
      await sleep(FOLLOW_REFRESH_MS, stop.signal);
      if (stop.signal.aborted) break;
      const consumed = await consumeUntilIdle(kafka, run.topic, run.groupId, s3, run.bucket);
      const warehouse = await openDuckDbWarehouse(
        run.warehousePath,
        readDuckDbCompatibilitySql(DEFAULT_SQL_DIR),
      );
      try {
        const { load: loaded } = await runPipelineOnce({
          warehouse,
          s3,
          bucket: run.bucket,
          runId: localRunId('demo-follow'),
        });
        const report = await readGoldReport(warehouse);
        server.update(
          await readDashboardData({
            warehouse,
            source: `duckdb:${run.warehousePath}`,
            lake: { s3, bucket: run.bucket },
            refreshSeconds: FOLLOW_PAGE_REFRESH_SECONDS,
          }),
        );
        process.stdout.write(
          `\n${new Date().toISOString()}: +${consumed.recordsIn} records, +${loaded.rowsInserted} rows\n` +
            formatReport(
              (['daily_active_users', 'top_songs', 'device_usage'] as const).map((model) => ({
                model,
                rows: report[model],
              })),
              'table',
              5,
              false,
            ),
        );
      } finally {
        await warehouse.close();
      }
    }
  } finally {
    stop.abort();
    const final = await producing;
    say(`stopped following: ${final.sent} live events sent`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
