import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { produceEvents } from '../../../lambdas/producer/event-producer.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { unpaced } from '../../../lambdas/producer/pacers.js';
import { parseListeningEventJson } from '../../../lambdas/shared/event-contract/validate-listening-event.js';
import type { ReportRow } from '../../../lambdas/shared/transform/gold-report.js';
import { consumeUntilIdle, type DemoRun, localS3Client, runDemo } from '../../../local/demo/run-demo.js';
import { cacheDir, repositoryRoot } from '../../../local/tooling/cache-dir.js';
import {
  launchChromium,
  paintedShareOfCharts,
  type ShownNumber,
  shownNumbers,
  watchedPage,
} from '../../support/headless-chromium.js';
import { localKafka } from '../../support/local-clients.js';
import { CLI_PATH, runCli } from '../../support/run-cli.js';

type Report = Record<string, ReportRow[]>;

const CHARTS = [
  'active-users',
  'hourly-volume',
  'top-songs',
  'skip-rates',
  'device-shares',
  'country-shares',
  'sessions',
];

/** How each model's shown numbers name their row (the page's `data-key`). */
const KEY_OF: Record<string, (row: ReportRow) => string> = {
  active_users: (row) => String(row.day),
  listening_sessions: (row) => String(row.day),
  hourly_event_volume: (row) => String(row.hour),
  cohort_retention: (row) => String(row.cohort_day),
  top_songs: (row) => String(row.song_id),
  skip_rate_by_song: (row) => String(row.song_id),
  device_usage: (row) => String(row.device_type),
  country_engagement: (row) => String(row.country),
  skip_rate_anomalies: (row) => `${row.day}/${row.song_id}`,
};

/** The report's value for a shown number; country totals are the report's days summed, as shown. */
function reportValueOf(report: Report, cell: ShownNumber): number | null {
  const rows = report[cell.model] ?? [];
  const keyOf = KEY_OF[cell.model]!;
  const matching = rows.filter((row) => keyOf(row) === cell.key);
  expect(matching.length, `${cell.model} ${cell.key} in the report`).toBeGreaterThan(0);
  if (cell.model === 'country_engagement')
    return matching.reduce((total, row) => total + Number(row[cell.column]), 0);
  const value = matching[0]![cell.column];
  expect(value, `${cell.model} ${cell.key} has ${cell.column}`).not.toBeUndefined();
  return value === null ? null : Number(value);
}

/** The number a person reads, to the precision written: "1,234", "56.3%", "24.6", "–". */
function expectShownEqualsReport(report: Report, cell: ShownNumber): void {
  const expected = reportValueOf(report, cell);
  const where = `${cell.model} ${cell.key} ${cell.column} shown as "${cell.text}"`;
  if (cell.text === '–') {
    expect(expected, where).toBeNull();
    return;
  }
  expect(expected, where).not.toBeNull();
  const written = cell.text.replaceAll(',', '').replace('%', '');
  const decimals = written.includes('.') ? written.length - written.indexOf('.') - 1 : 0;
  const value = cell.format === 'fraction' ? expected! * 100 : expected!;
  expect(Math.abs(Number(written) - value), where).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
}

function keysShown(cells: readonly ShownNumber[], model: string): string[] {
  return [...new Set(cells.filter((cell) => cell.model === model).map((cell) => cell.key))];
}

const newest = <T>(rows: readonly T[], count: number) => rows.slice(Math.max(0, rows.length - count));

async function chartData(
  page: Page,
): Promise<Record<string, { labels: string[]; series: Record<string, number[]> }>> {
  return (await page.evaluate(`Object.fromEntries([...window.spotifyDashboard.charts].map(([name, chart]) => [
    name,
    {
      labels: chart.data.labels,
      series: Object.fromEntries(chart.data.datasets.map((set, index) => [set.label ?? String(index), set.data])),
    },
  ]))`)) as Record<string, { labels: string[]; series: Record<string, number[]> }>;
}

async function textOf(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((node) => node.textContent)`,
  )) as string[];
}

/** `dashboard` over the run's warehouse and lake. */
function dashboardOf(run: DemoRun): string[] {
  return [
    'dashboard',
    '--warehouse',
    `duckdb:${run.warehousePath}`,
    '--bucket',
    run.bucket,
    '--s3-endpoint',
    inject('s3Endpoint'),
  ];
}

describe('the dashboard, as a person sees it in headless Chromium', () => {
  let browser: Browser;
  let run: DemoRun;
  let report: Report;
  let html: string;
  const s3Endpoint = inject('s3Endpoint');

  beforeAll(async () => {
    browser = await launchChromium();
    // Three weeks of the demo's pipeline, one song skipped far more than usual on one day, so that
    // every panel, the anomalies too, has rows.
    run = await runDemo({
      events: 12_000,
      seed: 41,
      faultRate: 0.04,
      skipRateShifts: [{ songId: 'song_000001', day: '2026-01-18', skipRate: 0.95 }],
      kafkaBrokers: inject('kafkaBrokers'),
      s3Endpoint,
      workDir: mkdtempSync(join(tmpdir(), 'dashboard-')),
    });
    const reported = await runCli([
      'report',
      '--warehouse',
      `duckdb:${run.warehousePath}`,
      '--format',
      'json',
    ]);
    expect(reported.exitCode, reported.stderr).toBe(0);
    report = JSON.parse(reported.stdout) as Report;
    const written = await runCli([
      ...dashboardOf(run),
      '--out',
      join(run.warehousePath, '..', 'dashboard.html'),
    ]);
    expect(written.exitCode, written.stderr).toBe(0);
    html = written.stdout.trim();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('GIVEN the written file WHEN opened at laptop width THEN it requests nothing, logs no error, draws every chart, and every number equals report --format json', async () => {
    // Arrange
    const url = `file://${html}`;
    const { page, requestsRefused, consoleErrors } = await watchedPage(browser, url);
    await page.setViewport({ width: 1366, height: 768 });

    // Act
    await page.goto(url, { waitUntil: 'load' });

    // Assess: self-contained and quiet.
    expect(requestsRefused).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // Every chart drew: a canvas of its own with paint on it.
    const painted = await paintedShareOfCharts(page);
    expect(Object.keys(painted).sort()).toEqual([...CHARTS].sort());
    for (const name of CHARTS) expect(painted[name], name).toBeGreaterThan(0.01);
    // The cohort heat map: one row per cohort shown, its rates coloured.
    const heatCells = (await page.evaluate(
      `[...document.querySelectorAll('[data-heatmap] td.heat')].map((cell) => cell.style.background)`,
    )) as string[];
    expect(heatCells.length).toBe(2 * Math.min(30, report.cohort_retention!.length));
    expect(heatCells.filter((background) => background.startsWith('rgba')).length).toBeGreaterThan(0);

    // Every number shown equals the report's, row by row; and the rows are the ones each panel promises.
    const cells = await shownNumbers(page);
    expect(report.skip_rate_anomalies!.length).toBeGreaterThan(0);
    for (const cell of cells) expectShownEqualsReport(report, cell);
    const dayOf = (row: ReportRow) => String(row.day);
    expect(keysShown(cells, 'active_users')).toEqual(newest(report.active_users!, 7).map(dayOf).reverse());
    expect(keysShown(cells, 'hourly_event_volume')).toEqual([
      String(report.hourly_event_volume!.at(-1)!.hour),
    ]);
    expect(keysShown(cells, 'top_songs')).toEqual(report.top_songs!.slice(0, 10).map(KEY_OF.top_songs!));
    expect(keysShown(cells, 'skip_rate_by_song')).toEqual(
      report.skip_rate_by_song!.slice(0, 10).map(KEY_OF.skip_rate_by_song!),
    );
    expect(keysShown(cells, 'device_usage')).toEqual(report.device_usage!.map(KEY_OF.device_usage!));
    expect(keysShown(cells, 'cohort_retention')).toEqual(
      newest(report.cohort_retention!, 30).map(KEY_OF.cohort_retention!),
    );
    expect(keysShown(cells, 'listening_sessions')).toEqual(
      newest(report.listening_sessions!, 7).map(dayOf).reverse(),
    );
    expect(keysShown(cells, 'skip_rate_anomalies')).toEqual(
      report.skip_rate_anomalies!.slice(0, 20).map(KEY_OF.skip_rate_anomalies!),
    );
    const countryPlays = new Map<string, number>();
    for (const row of report.country_engagement!)
      countryPlays.set(String(row.country), (countryPlays.get(String(row.country)) ?? 0) + Number(row.plays));
    const topCountries = [...countryPlays]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([country]) => country);
    expect(keysShown(cells, 'country_engagement')).toEqual(topCountries);

    // What each chart draws is the report's series.
    const charts = await chartData(page);
    const column = (rows: readonly ReportRow[], name: string) => rows.map((row) => Number(row[name]));
    const days = newest(report.active_users!, 90);
    expect(charts['active-users']).toEqual({
      labels: days.map(dayOf),
      series: {
        daily: column(days, 'daily_active_users'),
        weekly: column(days, 'weekly_active_users'),
        monthly: column(days, 'monthly_active_users'),
      },
    });
    const hours = newest(report.hourly_event_volume!, 72);
    expect(charts['hourly-volume']!.series).toEqual({
      plays: column(hours, 'plays'),
      skips: column(hours, 'skips'),
      pauses: column(hours, 'pauses'),
      'playlist adds': column(hours, 'playlist_adds'),
    });
    expect(charts['top-songs']!.series.plays).toEqual(column(report.top_songs!.slice(0, 10), 'total_plays'));
    expect(charts['skip-rates']!.series['skip rate, %']).toEqual(
      report.skip_rate_by_song!.slice(0, 10).map((row) => Number(row.skip_rate) * 100),
    );
    expect(charts['device-shares']!.series['0']).toEqual(column(report.device_usage!, 'total_events'));
    expect(charts['country-shares']!.labels.slice(0, topCountries.length)).toEqual(topCountries);
    const sessionDays = newest(report.listening_sessions!, 90);
    expect(charts.sessions!.series).toEqual({
      sessions: column(sessionDays, 'sessions'),
      'average minutes': column(sessionDays, 'avg_session_minutes'),
    });

    // The health panel: every layer has the newest accepted event, and the lake's counts are the run's.
    const accepted = run.producedLines
      .map((line) => parseListeningEventJson(line))
      .flatMap((result) => (result.ok ? [result.event] : []));
    const newestEvent = accepted
      .map((event) => event.timestamp)
      .sort()
      .at(-1)!;
    const shownTime = `${newestEvent.slice(0, 19).replace('T', ' ')} UTC`;
    const layers = await textOf(page, '[data-health=freshness] tbody tr');
    expect(layers).toEqual([
      expect.stringMatching(new RegExp(`^lake \\(S3\\)${shownTime}arrived .+ UTC–$`)),
      expect.stringMatching(
        new RegExp(`^bronze${shownTime}caught uploaded .+ UTC${run.rowsLoaded.toLocaleString('en-US')}$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^silver${shownTime}caught uptransformed .+ UTC${run.rowsLoaded.toLocaleString('en-US')}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^goldhour of ${newestEvent.slice(0, 13).replace('T', ' ')}:00:00 UTCcaught uptransformed .+ UTC–$`,
        ),
      ),
    ]);
    const quarantined = (await textOf(page, '[data-health=quarantine] tbody td.number')).map((text) =>
      Number(text.replaceAll(',', '')),
    );
    expect(quarantined.reduce((total, count) => total + count, 0)).toBe(run.recordsQuarantined);
    expect(run.recordsQuarantined).toBeGreaterThan(0);
    expect(await textOf(page, '[data-health=audit]')).toEqual([
      expect.stringMatching(
        /^Every record adds up from the lake files loaded \([\d,]+ lines\) to gold: 0 unexplained\.$/,
      ),
    ]);

    // For people to look at (not committed): the page at laptop width.
    const screenshot = join(cacheDir('dashboard'), 'dashboard-laptop.png');
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    process.stderr.write(`dashboard screenshot: ${screenshot}; the page is ${statSync(html).size} bytes\n`);
    await page.close();
  });

  it('GIVEN the written file WHEN opened on a phone-sized screen THEN nothing is wider than the screen and every chart still drew', async () => {
    const url = `file://${html}`;
    const { page, requestsRefused, consoleErrors } = await watchedPage(browser, url);
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

    await page.goto(url, { waitUntil: 'load' });

    expect((await page.evaluate('document.documentElement.scrollWidth')) as number).toBeLessThanOrEqual(390);
    const painted = await paintedShareOfCharts(page);
    for (const name of CHARTS) expect(painted[name], name).toBeGreaterThan(0.01);
    expect(requestsRefused).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.screenshot({
      path: join(cacheDir('dashboard'), 'dashboard-phone.png') as `${string}.png`,
      fullPage: true,
    });
    await page.close();
  });

  it('GIVEN dashboard --serve WHEN the pipeline runs again THEN the open page shows the new numbers by itself, asking only its own server', async () => {
    // Arrange: the live dashboard, as a child process, on any free port.
    const server = spawn(
      inject('cliNode'),
      [CLI_PATH, ...dashboardOf(run), '--serve', '--port', '0', '--refresh-seconds', '1'],
      { cwd: repositoryRoot, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      const url = await firstLine(server);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const { page, requestsRefused, consoleErrors } = await watchedPage(browser, url, (asked) =>
        asked.startsWith(url),
      );
      await page.goto(url, { waitUntil: 'load' });
      const newestDay = async () =>
        (await textOf(page, '[data-model=active_users][data-column=daily_active_users]'))[0];
      const before = report.active_users!.at(-1)!;
      expect(await newestDay()).toBe(Number(before.daily_active_users).toLocaleString('en-US'));

      // Act: a day of new events, two weeks after the rest, through Kafka, the lake and one run.
      const kafka = localKafka('dashboard-live');
      const lines = [
        ...generateEventLines({ seed: 5, count: 600, users: 3, startMs: Date.UTC(2026, 1, 10) }),
      ].map((line) => line.text);
      await produceEvents({ kafka, topic: run.topic, lines, pacer: unpaced });
      await consumeUntilIdle(kafka, run.topic, run.groupId, localS3Client(s3Endpoint), run.bucket);
      const pipeline = await runCli([
        'run',
        '--bucket',
        run.bucket,
        '--s3-endpoint',
        s3Endpoint,
        '--warehouse',
        `duckdb:${run.warehousePath}`,
      ]);
      expect(pipeline.exitCode, pipeline.stderr).toBe(0);

      // Assess: the open page shows the new newest day, without a reload.
      const activeUsers = await runCli([
        'report',
        '--warehouse',
        `duckdb:${run.warehousePath}`,
        '--format',
        'json',
        '--model',
        'active_users',
      ]);
      const after = (JSON.parse(activeUsers.stdout) as Report).active_users!.at(-1)!;
      expect(after.day).not.toBe(before.day);
      const dayShown = async () =>
        (await page.evaluate(
          `document.querySelector('[data-model=active_users][data-column=daily_active_users]')?.dataset.key`,
        )) as string | undefined;
      const deadline = Date.now() + 60_000;
      while ((await dayShown()) !== after.day && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 500));
      expect(await dayShown()).toBe(after.day);
      expect(await newestDay()).toBe(Number(after.daily_active_users).toLocaleString('en-US'));
      expect(requestsRefused).toEqual([]);
      expect(consoleErrors).toEqual([]);
      await page.close();
    } finally {
      server.kill('SIGINT');
    }
    const exitCode = await new Promise<number | null>((resolve) => server.on('close', resolve));
    expect(exitCode).toBe(0);
  });
});

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  const errors: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('close', (code) =>
      reject(new Error(`the dashboard exited ${code} before serving: ${errors.join('')}`)),
    );
  });
}
