import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../lambdas/consumer/consume-batch.js';
import type { ListeningEvent } from '../../lambdas/shared/event-contract/listening-event.js';
import { readGoldReport } from '../../lambdas/shared/transform/gold-report.js';
import { repositoryRoot } from '../../local/tooling/cache-dir.js';
import { openDuckDbWarehouse } from '../../local/warehouse/duckdb-warehouse.js';
import { validGeneratedEvents } from '../lambdas/shared/transform/bronze-fixture.js';
import { comparable, expectedGold } from '../lambdas/shared/transform/expected-gold.js';
import { localS3, uniqueName } from '../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../support/msk-event-factory.js';
import { CLI_PATH, type CliRun, lakeCommandLine, runCli } from '../support/run-cli.js';

const DAY_MS = 86_400_000;
/** Records per consumer batch: each batch is one call of the consumer's core, as one Lambda invocation. */
const RECORDS_PER_BATCH = 150;

/** A new lake bucket, and a way to put events into it through the consumer's core, batch by batch. */
async function aLake() {
  const bucket = uniqueName('lake');
  await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
  let offset = 0;
  return {
    bucket,
    /** The events reach the lake as the deployed consumer writes them: objects, then an arrival manifest. */
    async consume(events: readonly ListeningEvent[]) {
      for (let start = 0; start < events.length; start += RECORDS_PER_BATCH) {
        const records = events
          .slice(start, start + RECORDS_PER_BATCH)
          .map((event) =>
            anMskRecord({ offset: offset++, value: JSON.stringify(event), timestamp: Date.now() }),
          );
        await consumeBatch(anMskEvent(records), { s3: localS3(), bucket }, Date.now());
      }
    },
  };
}

function aWarehousePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'pipeline-run-')), 'warehouse.duckdb');
}

/** The arguments of `spotify-pipeline <command>` against the lake and a warehouse file. */
function commandLine(command: 'run' | 'load', bucket: string, path: string, extra: readonly string[] = []) {
  return lakeCommandLine(command, { bucket, s3Endpoint: inject('s3Endpoint') }, path, extra);
}

/** `spotify-pipeline <command>` against the lake and a warehouse file, as a user runs it. */
function cli(command: 'run' | 'load', bucket: string, path: string, extra: string[] = [], env = {}) {
  return runCli(commandLine(command, bucket, path, extra), env);
}

/** What a warehouse holds, row by row, leaving out what names a run (load ids, load times). */
async function warehouseContents(path: string) {
  const warehouse = await openDuckDbWarehouse(path);
  try {
    const rows = (sql: string) => warehouse.query(sql);
    return {
      bronze: await rows(
        'SELECT * EXCLUDE (loaded_at, load_id) FROM bronze.listening_events ORDER BY event_id, source_file',
      ),
      ledger: await rows(
        'SELECT file_key, rows_in_file, rows_inserted FROM bronze.load_ledger ORDER BY file_key',
      ),
      silver: await rows(
        'SELECT * EXCLUDE (loaded_at, load_id) FROM silver.listening_events ORDER BY event_id, source_file',
      ),
      rejected: await rows('SELECT event_id, reason, source_file FROM silver.rejected_events ORDER BY ALL'),
      gold: comparable(await readGoldReport(warehouse)),
    };
  } finally {
    await warehouse.close();
  }
}

async function ledgerFiles(path: string): Promise<number> {
  const warehouse = await openDuckDbWarehouse(path);
  try {
    const [row] = await warehouse.query<{ files: number }>(
      'SELECT COUNT(*) AS files FROM bronze.load_ledger',
    );
    return row!.files;
  } finally {
    await warehouse.close();
  }
}

function expectSucceeded(run: CliRun) {
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
}

/** Events of a few recent days, valid, in UTC: what every scenario starts from. */
function recentEvents(seed: number, count = 600) {
  const startMs = Math.floor((Date.now() - 3 * DAY_MS) / DAY_MS) * DAY_MS;
  return validGeneratedEvents({
    seed,
    count,
    users: 30,
    songs: 10,
    faultRate: 0,
    startMs,
    eventsPerSecond: 0.01,
  }).events;
}

describe('one run of the pipeline on this machine (spotify-pipeline run), as the state machine runs it', () => {
  it('GIVEN events 30 and 400 days old that reach the lake after newer ones WHEN the next run loads with no --from THEN they are in bronze and in gold after that one run', async () => {
    // Prepare: recent events, run; then a batch of late events (an offline phone, a wrong clock)
    const lake = await aLake();
    const path = aWarehousePath();
    const recent = recentEvents(71);
    await lake.consume(recent);
    expectSucceeded(await cli('run', lake.bucket, path));
    const late = [30, 400].flatMap((daysAgo, index) =>
      recent.slice(index * 5, index * 5 + 5).map((event, n) => ({
        ...event,
        event_id: `00000000-0000-4000-8000-${String(daysAgo * 100 + n).padStart(12, '0')}`,
        timestamp: new Date(Date.now() - daysAgo * DAY_MS + n * 60_000).toISOString(),
      })),
    );
    await lake.consume(late);

    // Act
    const run = await cli('run', lake.bucket, path);

    // Assess
    expectSucceeded(run);
    expect(run.stderr).toMatch(/loaded \d+ files \(10 lines\)/);
    const contents = await warehouseContents(path);
    const lateIds = new Set(late.map((event) => event.event_id));
    expect(contents.bronze.filter((row) => lateIds.has(row.event_id as string))).toHaveLength(10);
    expect(contents.silver.filter((row) => lateIds.has(row.event_id as string))).toHaveLength(10);
    const lateDays = new Set(late.map((event) => event.timestamp.slice(0, 10)));
    const goldDays = new Set(
      (contents.gold as { daily_active_users: { day: string }[] }).daily_active_users.map((row) => row.day),
    );
    for (const day of lateDays) expect(goldDays.has(day), day).toBe(true);
    expect(contents.gold).toEqual(comparable(expectedGold([...recent, ...late])));
  });

  it('GIVEN a load killed right after its first transaction committed WHEN loaded again and run THEN bronze, silver and gold are row for row those of one clean run, and as computed from the events', async () => {
    // Prepare: one lake; the clean warehouse is loaded and run once, without trouble
    const lake = await aLake();
    const events = recentEvents(72);
    await lake.consume(events);
    const clean = aWarehousePath();
    expectSucceeded(await cli('run', lake.bucket, clean));

    // Act: the interrupted warehouse
    const interrupted = aWarehousePath();
    const small = ['--files-per-transaction', '2'];
    const crashed = await cli('load', lake.bucket, interrupted, small, {
      SPOTIFY_PIPELINE_TEST_CRASH_AFTER_COMMIT: '1',
    });
    const afterCrash = await ledgerFiles(interrupted);
    const rerun = await cli('load', lake.bucket, interrupted, small);
    const run = await cli('run', lake.bucket, interrupted);

    // Assess
    expect(crashed.exitCode).toBeNull();
    expect(afterCrash).toBe(2); // the first transaction committed its two files, then the process died
    expectSucceeded(rerun);
    expectSucceeded(run);
    expect(run.stderr).toMatch(/loaded 0 files/);
    const recovered = await warehouseContents(interrupted);
    expect(recovered).toEqual(await warehouseContents(clean));
    expect(recovered.bronze).toHaveLength(events.length);
    expect(recovered.gold).toEqual(comparable(expectedGold(events)));
  });

  it('GIVEN two runs started together on one warehouse WHEN both finish THEN the second waited for the first, and bronze, silver and gold are those of one clean run', async () => {
    // Prepare: a lake; a third party holds the warehouse file, so both runs must wait and then race
    const lake = await aLake();
    const events = recentEvents(73);
    await lake.consume(events);
    const path = aWarehousePath();
    const holder = await openDuckDbWarehouse(path);

    // Act
    const runs = [startRun(lake.bucket, path), startRun(lake.bucket, path)];
    await Promise.all(runs.map((run) => run.waiting));
    await holder.close();
    const [first, second] = await Promise.all(runs.map((run) => run.done));

    // Assess
    expectSucceeded(first!);
    expectSucceeded(second!);
    expect(first!.stderr).toMatch(/waiting for .* which has the warehouse file/);
    expect(second!.stderr).toMatch(/waiting for .* which has the warehouse file/);
    const outputs = [first!.stdout, second!.stdout].sort();
    expect(outputs[0]).toMatch(/^run: loaded [\d,]+ new rows; transformed/);
    expect(outputs[1]).toBe('run: nothing new to transform\n');
    const single = aWarehousePath();
    expectSucceeded(await cli('run', lake.bucket, single));
    const contents = await warehouseContents(path);
    expect(contents).toEqual(await warehouseContents(single));
    expect(contents.gold).toEqual(comparable(expectedGold(events)));
  });
});

/** `spotify-pipeline run`, with a promise that settles once it says it is waiting for the warehouse file. */
function startRun(bucket: string, path: string): { waiting: Promise<void>; done: Promise<CliRun> } {
  const child = spawn(inject('cliNode'), [CLI_PATH, ...commandLine('run', bucket, path)], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sawWaiting: () => void = () => {};
  const waiting = new Promise<void>((resolve) => {
    sawWaiting = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    if (stderr.includes('waiting for')) sawWaiting();
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      sawWaiting();
      resolve({ exitCode, stdout, stderr });
    });
  });
  return { waiting, done };
}
