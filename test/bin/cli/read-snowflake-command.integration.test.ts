import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { GoldReport } from '../../../lambdas/shared/transform/gold-report.js';
import { type DemoRun, runDemo } from '../../../local/demo/run-demo.js';
import { localWarehouseEnvironment } from '../../support/deployed-functions.js';
import { runCli } from '../../support/run-cli.js';
import { SnowflakeOverDuckDb } from '../../support/snowflake-over-duckdb.js';

/** The numbers a dashboard file carries (its inlined JSON), without when and from where it read them. */
function dashboardNumbers(path: string): unknown {
  const html = readFileSync(path, 'utf8');
  const json = /<script id="dashboard-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  expect(json, `${path} holds its numbers`).toBeDefined();
  const { generatedAt: _when, source: _where, ...numbers } = JSON.parse(json!) as Record<string, unknown>;
  return numbers;
}

describe('report and dashboard against Snowflake, with the secret the deployed stack reads', () => {
  let run: DemoRun;
  let snowflake: SnowflakeOverDuckDb;
  let environment: NodeJS.ProcessEnv;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'read-snowflake-'));
    run = await runDemo({
      events: 3_000,
      seed: 13,
      faultRate: 0.05,
      kafkaBrokers: inject('kafkaBrokers'),
      s3Endpoint: inject('s3Endpoint'),
      workDir,
    });
    // Snowflake's protocol in front of a copy of the same warehouse, logged in to with the secret.
    const copy = join(workDir, 'snowflake.duckdb');
    copyFileSync(run.warehousePath, copy);
    snowflake = await SnowflakeOverDuckDb.open(copy);
    const accessUrl = await snowflake.start();
    const deployed = await localWarehouseEnvironment(inject('s3Endpoint'), accessUrl);
    environment = { ...deployed, SNOWFLAKE_SECRET_ID: deployed.SNOWFLAKE_SECRET_ARN };
  }, 180_000);

  afterAll(async () => {
    await snowflake?.stop();
  });

  it('GIVEN --warehouse snowflake WHEN report --format json THEN the rows equal the same warehouse read as DuckDB, typed as Snowflake types them', async () => {
    const local = await runCli(['report', '--warehouse', `duckdb:${run.warehousePath}`, '--format', 'json']);

    const remote = await runCli(['report', '--warehouse', 'snowflake', '--format', 'json'], environment);

    expect(remote.exitCode, remote.stderr).toBe(0);
    const localReport = JSON.parse(local.stdout) as GoldReport;
    expect(JSON.parse(remote.stdout) as GoldReport).toEqual(localReport);
    expect(localReport.hourly_event_volume.length).toBeGreaterThan(24);
    expect(snowflake.server.logins.map((login) => login.user)).toContain('SPOTIFY_PIPELINE');
    expect(
      snowflake.server.statements.some((statement) => /FROM gold\.hourly_event_volume/.test(statement.sql)),
    ).toBe(true);
  });

  it('GIVEN --warehouse snowflake WHEN dashboard THEN the page carries the numbers the DuckDB warehouse gives', async () => {
    const local = await runCli([
      'dashboard',
      '--warehouse',
      `duckdb:${run.warehousePath}`,
      '--out',
      join(workDir, 'local.html'),
    ]);
    expect(local.exitCode, local.stderr).toBe(0);

    const remote = await runCli(
      ['dashboard', '--warehouse', 'snowflake', '--out', join(workDir, 'snowflake.html')],
      environment,
    );

    expect(remote.exitCode, remote.stderr).toBe(0);
    expect(dashboardNumbers(join(workDir, 'snowflake.html'))).toEqual(
      dashboardNumbers(join(workDir, 'local.html')),
    );
    expect(
      snowflake.server.statements.some((statement) =>
        /pipeline_freshness|bronze_newest_event/.test(statement.sql),
      ),
    ).toBe(true);
  });

  it('GIVEN no SNOWFLAKE_SECRET_ID, or a key Snowflake refuses THEN each exits non-zero with one line saying what to do and no stack', async () => {
    const unset = await runCli(['dashboard', '--warehouse', 'snowflake'], { SNOWFLAKE_SECRET_ID: '' });
    snowflake.server.refuseLogins(1);
    const refused = await runCli(['report', '--warehouse', 'snowflake'], environment);

    expect(unset.exitCode).toBe(2);
    expect(unset.stderr).toContain('SNOWFLAKE_SECRET_ID is not set');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Snowflake refused the login');
    expect(refused.stderr).toContain('what to do:');
    for (const output of [unset.stderr, refused.stderr]) expect(output).not.toMatch(/\n\s+at /);
  });
});
