import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoldReport } from '../../../lambdas/shared/transform/gold-report.js';
import { loadTransformationManifest } from '../../../lambdas/shared/transform/transformation-manifest.js';
import { openDuckDbWarehouse } from '../../../local/warehouse/duckdb-warehouse.js';
import {
  bronzeRowOf,
  insertBronzeRows,
  openTestWarehouse,
  validGeneratedEvents,
} from '../../lambdas/shared/transform/bronze-fixture.js';
import { comparable, expectedGold } from '../../lambdas/shared/transform/expected-gold.js';
import { runCli } from '../../support/run-cli.js';

const OPTIONS = { seed: 9, count: 600, users: 12, songs: 5, faultRate: 0.02, eventsPerSecond: 0.002 };

describe('spotify-pipeline transform and report on a local DuckDB warehouse', () => {
  const { events } = validGeneratedEvents(OPTIONS);
  let dir: string;
  let flag: string;

  beforeAll(async () => {
    const local = await openTestWarehouse();
    dir = local.dir;
    flag = `duckdb:${local.path}`;
    await insertBronzeRows(
      local.warehouse,
      events.map((event) => bronzeRowOf(event, 'lake/part-0.ndjson.gz', '2026-01-09 00:00:00')),
    );
    await local.warehouse.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN bronze only WHEN report runs THEN it exits 2 and says to transform first', async () => {
    const run = await runCli(['report', '--warehouse', flag]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('the warehouse has no gold.daily_active_users table');
    expect(run.stderr).toContain(`what to do: run spotify-pipeline transform --warehouse ${flag} first`);
  });

  it('GIVEN bronze WHEN transform then report --format json THEN the report holds every gold model as computed from the events', async () => {
    // WHEN
    const transform = await runCli(['transform', '--warehouse', flag]);
    const report = await runCli(['report', '--warehouse', flag, '--format', 'json']);

    // THEN
    expect(transform.exitCode).toBe(0);
    const manifest = loadTransformationManifest();
    expect(transform.stdout).toMatch(
      new RegExp(
        `^transform: ${manifest.models.length} models in \\d+ waves \\(\\d+ statements\\), ${manifest.tests.length} data-quality tests passed\n$`,
      ),
    );
    expect(transform.stderr).toContain('wave 1: silver.setup');
    expect(transform.stderr).toContain('test silver_reconciles_with_bronze: passed');
    expect(report.exitCode).toBe(0);
    const parsed = JSON.parse(report.stdout) as GoldReport;
    const expected = expectedGold(events);
    expect(Object.keys(parsed)).toEqual(Object.keys(expected));
    expect(parsed.daily_active_users).toEqual(expected.daily_active_users);
    expect(parsed.user_engagement).toEqual(expected.user_engagement);
    expect(parsed.top_songs).toEqual(expected.top_songs);
    expect(parsed.hourly_event_volume).toEqual(expected.hourly_event_volume);
    expect(comparable({ active_users: parsed.active_users })).toEqual(
      comparable({ active_users: expected.active_users }),
    );
    for (const [index, row] of parsed.device_usage.entries()) {
      expect(row.device_event_pct).toBeCloseTo(expected.device_usage[index]!.device_event_pct as number, 9);
    }
  });

  it('GIVEN gold WHEN report --format csv --model THEN plain CSV; --format table THEN titled, aligned sections', async () => {
    await runCli(['transform', '--warehouse', flag, '--quiet']);
    const csv = await runCli([
      'report',
      '--warehouse',
      flag,
      '--format',
      'csv',
      '--model',
      'daily_active_users',
    ]);
    const table = await runCli(['report', '--warehouse', flag, '--limit', '3']);

    const expected = expectedGold(events).daily_active_users;
    expect(csv.stdout).toBe(
      `day,daily_active_users\n${expected.map((row) => `${row.day},${row.daily_active_users}`).join('\n')}\n`,
    );
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toContain(`daily_active_users (${expected.length} rows)`);
    expect(table.stdout).toMatch(/ {2}day {9}daily_active_users\n/);
    expect(table.stdout).toContain('cohort_retention (');
    expect(table.stdout).toMatch(/ {2}device_type {2}total_events {2}unique_users {2}device_event_pct\n/);
    expect(table.stdout).toMatch(/ \d+\.\d{4}\n/);
    expect(table.stdout).toMatch(/\.\.\. \d+ more \(--limit, or --format json\)/);
  });

  it('GIVEN a silver row duplicated behind the runner WHEN transform runs THEN its checks of the run pass, and with --full-checks it exits 1 naming the failing test with sample rows', async () => {
    // GIVEN
    await runCli(['transform', '--warehouse', flag, '--quiet']);
    const warehouse = await openDuckDbWarehouse(flag.slice('duckdb:'.length));
    await warehouse.execute(
      'INSERT INTO silver.listening_events SELECT * FROM silver.listening_events LIMIT 2',
    );
    await warehouse.close();

    // WHEN
    const batchChecks = await runCli(['transform', '--warehouse', flag, '--quiet']);
    const run = await runCli(['transform', '--warehouse', flag, '--quiet', '--full-checks']);

    // THEN
    expect(batchChecks.exitCode).toBe(0);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('- silver_listening_events_unique_event_id: 2 failing row(s); the first 2:');
    expect(run.stderr).toMatch(/"copies":2/);
    expect(run.stderr).toContain('what to do: ');

    // and a full refresh rebuilds silver from bronze, which passes again
    const refreshed = await runCli(['transform', '--warehouse', flag, '--quiet', '--full-refresh']);
    expect(refreshed.exitCode).toBe(0);
  });

  it('GIVEN a warehouse whose gold was built before incremental maintenance WHEN transform runs THEN it exits 2 saying to run one full refresh, which then makes it incremental', async () => {
    // GIVEN: what an earlier version left: silver and gold, and none of the state they now keep
    await runCli(['transform', '--warehouse', flag, '--quiet']);
    const warehouse = await openDuckDbWarehouse(flag.slice('duckdb:'.length));
    await warehouse.execute('DROP TABLE silver.gold_state');
    await warehouse.close();

    // WHEN
    const refused = await runCli(['transform', '--warehouse', flag, '--quiet']);
    const refreshed = await runCli(['transform', '--warehouse', flag, '--quiet', '--full-refresh']);
    const next = await runCli(['transform', '--warehouse', flag, '--quiet']);

    // THEN
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('its gold was built by an earlier version');
    expect(refused.stderr).toContain(
      `what to do: run spotify-pipeline transform --warehouse ${flag} --full-refresh once`,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refreshed.exitCode).toBe(0);
    expect(next.exitCode).toBe(0);
  });

  it('GIVEN a warehouse built before a gold model existed WHEN transform runs THEN it exits 2 naming the new table, and changes nothing until a full refresh builds it from all of silver', async () => {
    // GIVEN: what a version without gold.hourly_event_volume left
    await runCli(['transform', '--warehouse', flag, '--quiet']);
    const warehouse = await openDuckDbWarehouse(flag.slice('duckdb:'.length));
    await warehouse.execute('DROP TABLE gold.hourly_event_volume');
    await warehouse.close();

    // WHEN
    const refused = await runCli(['transform', '--warehouse', flag, '--quiet']);
    const untouched = await openDuckDbWarehouse(flag.slice('duckdb:'.length));
    const [created] = await untouched.query<{ tables: number | bigint }>(
      "SELECT COUNT(*) AS tables FROM information_schema.tables WHERE table_schema = 'gold' AND table_name = 'hourly_event_volume'",
    );
    await untouched.close();
    const refreshed = await runCli(['transform', '--warehouse', flag, '--quiet', '--full-refresh']);
    const report = await runCli([
      'report',
      '--warehouse',
      flag,
      '--format',
      'json',
      '--model',
      'hourly_event_volume',
    ]);

    // THEN
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      'gold.hourly_event_volume is new in this version: it must be built from all of silver, which already holds rows',
    );
    expect(refused.stderr).toContain(
      `what to do: run spotify-pipeline transform --warehouse ${flag} --full-refresh once`,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(Number(created?.tables)).toBe(0);
    expect(refreshed.exitCode).toBe(0);
    expect(JSON.parse(report.stdout).hourly_event_volume).toEqual(expectedGold(events).hourly_event_volume);
  });

  it('GIVEN --warehouse snowflake, a missing file or a bad target THEN each exits 2 with what to do', async () => {
    const snowflake = await runCli(['transform', '--warehouse', 'snowflake']);
    const missing = await runCli(['transform', '--warehouse', 'duckdb:/nonexistent/warehouse.duckdb']);
    const bad = await runCli(['report', '--warehouse', 'postgres://x']);

    expect(snowflake.exitCode).toBe(2);
    expect(snowflake.stderr).toContain('needs the deployed stack and its credentials');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('there is no DuckDB file at /nonexistent/warehouse.duckdb');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--warehouse "postgres://x" is not duckdb:PATH or snowflake');
  });
});
