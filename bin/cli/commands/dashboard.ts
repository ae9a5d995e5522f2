import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Warehouse } from '../../../lambdas/shared/warehouse/warehouse.js';
import { CliError } from '../cli-error.js';
import { s3EndpointOption } from '../common-options.js';
import { DASHBOARD_MODELS, type DashboardSources, readDashboardData } from '../dashboard/dashboard-data.js';
import type { DashboardData } from '../dashboard/dashboard-model.js';
import { DashboardPortError, type DashboardServer, serveDashboard } from '../dashboard/dashboard-server.js';
import { renderDashboardHtml } from '../dashboard/render-dashboard.js';
import { cannotWrite } from '../failure-messages.js';
import { s3ClientForCli } from '../lake-bucket.js';
import { parseBucketName, parseWholeNumber } from '../option-parsers.js';
import { openWarehouseFromFlag, tableExists, warehouseOption } from '../warehouse-option.js';

export const DEFAULT_DASHBOARD_PORT = 8765;
const DEFAULT_REFRESH_SECONDS = 15;

interface DashboardFlags {
  warehouse: string;
  out: string;
  serve: boolean;
  port: string;
  refreshSeconds: string;
  bucket?: string;
  s3Endpoint?: string;
}

export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description(
      'Draw the gold KPIs and the pipeline’s health as one self-contained HTML page, or serve it live.',
    )
    .addOption(warehouseOption())
    .option('--out <file>', 'where the page is written', 'dashboard.html')
    .option('--serve', 'serve the page on 127.0.0.1 instead, refreshing its numbers until Ctrl-C')
    .option('--port <n>', 'the port --serve listens on (0 picks a free port)', String(DEFAULT_DASHBOARD_PORT))
    .option(
      '--refresh-seconds <n>',
      'how often --serve reads the warehouse again',
      String(DEFAULT_REFRESH_SECONDS),
    )
    .option(
      '--bucket <name>',
      "the lake bucket, for the health panel's lake freshness and quarantine",
      parseBucketName,
    )
    .addOption(s3EndpointOption())
    .addHelpText(
      'after',
      '\nThe page reads gold with the same queries as `report`, and fetches nothing when opened: its\n' +
        'style, script (Chart.js) and numbers are inline, so it can be mailed or opened offline.\n' +
        'With --warehouse snowflake it reads the deployed Snowflake (SNOWFLAKE_SECRET_ID names the secret).\n\n' +
        'Examples:\n' +
        '  spotify-pipeline dashboard --warehouse duckdb:.cache/demo/warehouse.duckdb --out kpis.html\n' +
        '  spotify-pipeline dashboard --warehouse duckdb:.cache/warehouse.duckdb --bucket spotify-lake \\\n' +
        '      --s3-endpoint http://127.0.0.1:4566 --serve',
    )
    .action(async (flags: DashboardFlags) => {
      const port = parseWholeNumber('--port', flags.port);
      if (port > 65_535)
        throw new CliError(`--port ${port} is not a port`, 'use 1 to 65535, or 0 for any free port');
      const refreshSeconds = parseWholeNumber('--refresh-seconds', flags.refreshSeconds);
      if (refreshSeconds < 1)
        throw new CliError('--refresh-seconds must be at least 1', 'e.g. --refresh-seconds 15');
      if (flags.s3Endpoint !== undefined && flags.bucket === undefined)
        throw new CliError(
          '--s3-endpoint needs --bucket: it says where the lake is',
          'e.g. --bucket spotify-lake',
        );
      const lake =
        flags.bucket === undefined
          ? undefined
          : { s3: s3ClientForCli(flags.s3Endpoint), bucket: flags.bucket };
      const read = (live: boolean) =>
        readFromWarehouse(flags.warehouse, {
          source: flags.warehouse,
          ...(lake === undefined ? {} : { lake }),
          refreshSeconds: live ? refreshSeconds : null,
        });

      if (!flags.serve) {
        const path = await writeDashboard(await read(false), flags.out);
        process.stdout.write(`${path}\n`);
        process.stderr.write(`dashboard written: ${path} (${describeSize(path)}); open it in a browser\n`);
        return;
      }
      const server = await startServer(port, await read(true));
      process.stdout.write(`${server.url}\n`);
      process.stderr.write(
        `dashboard at ${server.url}, reading the warehouse every ${refreshSeconds} s (Ctrl-C to stop)\n`,
      );
      await refreshUntilStopped(server, () => read(true), refreshSeconds);
    });
}

/** Opens the warehouse, reads the dashboard's numbers, and closes it again at once. */
async function readFromWarehouse(
  flag: string,
  sources: Omit<DashboardSources, 'warehouse'>,
): Promise<DashboardData> {
  const warehouse = await openWarehouseFromFlag(flag, { readsOnly: true });
  try {
    await requireGold(warehouse, flag);
    return await readDashboardData({ ...sources, warehouse });
  } finally {
    await warehouse.close();
  }
}

async function requireGold(warehouse: Warehouse, flag: string): Promise<void> {
  for (const model of DASHBOARD_MODELS) {
    if (!(await tableExists(warehouse, 'gold', model))) {
      throw new CliError(
        `--warehouse ${flag}: the warehouse has no gold.${model} table`,
        `run spotify-pipeline transform --warehouse ${flag} first`,
      );
    }
  }
}

/** Writes the page and returns its absolute path. */
export async function writeDashboard(data: DashboardData, out: string): Promise<string> {
  const path = resolve(out);
  try {
    writeFileSync(path, await renderDashboardHtml(data));
  } catch (error) {
    throw cannotWrite('--out', out, error);
  }
  return path;
}

export function describeSize(path: string): string {
  return `${Math.round(statSync(path).size / 1024).toLocaleString('en-US')} KiB`;
}

export async function startServer(port: number, data: DashboardData): Promise<DashboardServer> {
  try {
    return await serveDashboard(port, data);
  } catch (error) {
    if (!(error instanceof DashboardPortError)) throw error;
    throw new CliError(error.message, 'pass another --port, or --port 0 for any free one');
  }
}

/**
 * Reads the warehouse again every `seconds` until Ctrl-C. A read that fails (the warehouse busy
 * past its wait, Snowflake unreachable) keeps the numbers the page has and says so; the next one
 * tries again.
 */
async function refreshUntilStopped(
  server: DashboardServer,
  read: () => Promise<DashboardData>,
  seconds: number,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop.signal.aborted) {
      await sleep(seconds * 1000, stop.signal);
      if (stop.signal.aborted) break;
      try {
        server.update(await read());
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        process.stderr.write(
          `${new Date().toISOString()}: not refreshed, the page keeps its numbers: ${detail}\n`,
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
    process.stderr.write('dashboard stopped\n');
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
