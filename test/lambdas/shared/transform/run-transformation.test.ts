import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListeningEvent } from '../../../../lambdas/shared/event-contract/listening-event.js';
import { type GoldReport, readGoldReport } from '../../../../lambdas/shared/transform/gold-report.js';
import {
  DataQualityError,
  describeFailuresWithSamples,
  runDataQualityTest,
  runTransformation,
  type TransformationOptions,
} from '../../../../lambdas/shared/transform/run-transformation.js';
import { loadTransformationManifest } from '../../../../lambdas/shared/transform/transformation-manifest.js';
import { DEFAULT_SQL_DIR } from '../../../../lambdas/shared/warehouse/sql-files.js';
import {
  type BronzeRow,
  bronzeRowOf,
  bronzeRowsOf,
  insertBronzeRows,
  openTestWarehouse,
  type TestWarehouse,
  validGeneratedEvents,
  withoutSessionIds,
} from './bronze-fixture.js';
import { comparable, expectedGold } from './expected-gold.js';

// Ten days of listening for 25 users, 5% faults (the contract-breaking ones never reach bronze:
// the consumer quarantines them; the duplicates do, and the loader keeps the first copy).
const FIRST_DAYS = { seed: 41, count: 2500, users: 25, songs: 8, faultRate: 0.05, eventsPerSecond: 0.003 };
const FIRST_LOAD = '2026-01-11 00:05:00';

/** Rows a careless producer or a bad loader could leave in bronze, each with the reason silver gives. */
function badBronzeRows(template: ListeningEvent, duplicateOf: ListeningEvent, loadedAt: string) {
  const base = bronzeRowOf(template, 'lake/bad/part-0.ndjson.gz', loadedAt);
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const cases: { row: BronzeRow; reason: string }[] = [
    { row: { ...base, event_id: id(1), user_id: null }, reason: 'user_id is null' },
    {
      row: { ...base, event_id: id(2), event_type: 'stop' },
      reason: 'event_type is not one of play, pause, skip, add_to_playlist',
    },
    {
      row: { ...base, event_id: id(3), device_type: 'tv' },
      reason: 'device_type is not one of mobile, desktop, web',
    },
    { row: { ...base, event_id: id(4), country: 'uk' }, reason: 'country is not two upper-case letters' },
    { row: { ...base, event_id: id(5), schema_version: 2 }, reason: 'schema_version is not 1' },
    {
      row: { ...base, event_id: id(6), event_timestamp: 'yesterday' },
      reason: 'event_timestamp has no time zone',
    },
    {
      row: { ...base, event_id: id(7), event_timestamp: '2026-13-45T25:00:00Z' },
      reason: 'event_timestamp is not a timestamp',
    },
    {
      row: { ...base, event_id: id(8), event_timestamp: '2026-01-02T10:00:00' },
      reason: 'event_timestamp has no time zone',
    },
    { row: { ...base, event_id: id(9), song_id: null }, reason: 'song_id is null' },
    {
      // The same event loaded a second time from another file: Snowflake does not enforce bronze's key.
      row: bronzeRowOf(duplicateOf, 'lake/replayed/part-0.ndjson.gz', loadedAt),
      reason: 'duplicate event_id',
    },
  ];
  return cases;
}

/** Floating-point columns compared to 12 significant digits: SQL and TypeScript may differ in the last bit. */
describe('runTransformation on an embedded DuckDB warehouse', () => {
  let local: TestWarehouse;
  let batches = 0;
  /** One run of the plan, as its own batch (the state machine's execution), unless one is named. */
  const transform = (options: Partial<TransformationOptions> = {}) =>
    runTransformation(local.warehouse, { batchId: `batch-${++batches}`, ...options });
  beforeEach(async () => {
    local = await openTestWarehouse();
  });
  afterEach(async () => {
    await local.dispose();
  });

  it('builds every gold model to match values computed independently from the events', async () => {
    // Prepare: four users' clients send no session id (their sessions are found by the 30-minute gap).
    const generated = validGeneratedEvents(FIRST_DAYS);
    const events = withoutSessionIds(generated.events, 4);
    const { duplicates } = generated;
    expect(duplicates.length).toBeGreaterThan(0);
    const bad = badBronzeRows(events[0]!, duplicates[0]!, FIRST_LOAD);
    await insertBronzeRows(local.warehouse, [
      ...bronzeRowsOf(events, FIRST_LOAD, 'lake/first'),
      ...bad.map((c) => c.row),
    ]);

    // Act
    const result = await transform();
    const report = await readGoldReport(local.warehouse);

    // Assess
    expect(result.tests.every((test) => test.failingRows === 0)).toBe(true);
    expect(result.tests).toHaveLength(loadTransformationManifest().tests.length);
    const expected = expectedGold(events);
    expect(new Set(expected.daily_active_users.map((row) => row.day)).size).toBeGreaterThanOrEqual(9);
    expect(expected.cohort_retention.some((row) => row.day_7_retained !== null)).toBe(true);
    for (const model of Object.keys(expected) as (keyof GoldReport)[]) {
      expect(comparable({ [model]: report[model] } as GoldReport), model).toEqual(
        comparable({ [model]: expected[model] } as GoldReport),
      );
    }
  });

  it('accounts for every bronze row: in silver once, or in rejected_events with its reason', async () => {
    // Prepare
    const { events, duplicates } = validGeneratedEvents(FIRST_DAYS);
    const bad = badBronzeRows(events[0]!, duplicates[0]!, FIRST_LOAD);
    await insertBronzeRows(local.warehouse, [
      ...bronzeRowsOf(events, FIRST_LOAD, 'lake/first'),
      ...bad.map((c) => c.row),
    ]);

    // Act
    await transform();

    // Assess
    const [counts] = await local.warehouse.query<{
      bronze: number;
      silver: number;
      rejected: number;
      ids: number;
    }>(
      `SELECT
         (SELECT COUNT(*) FROM bronze.listening_events) AS bronze,
         (SELECT COUNT(*) FROM silver.listening_events) AS silver,
         (SELECT COUNT(*) FROM silver.rejected_events) AS rejected,
         (SELECT COUNT(DISTINCT event_id) FROM silver.listening_events) AS ids`,
    );
    expect(counts).toEqual({
      bronze: events.length + bad.length,
      silver: events.length,
      rejected: bad.length,
      ids: events.length,
    });
    const rejected = await local.warehouse.query<{ event_id: string; reason: string; source_file: string }>(
      'SELECT event_id, reason, source_file FROM silver.rejected_events ORDER BY event_id, source_file',
    );
    const expectedRejects = bad
      .map((c) => ({ event_id: c.row.event_id, reason: c.reason, source_file: c.row.source_file }))
      .sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
    expect(rejected).toEqual(expectedRejects);
    // The first load of the duplicated event is the one silver keeps.
    const [kept] = await local.warehouse.query<{ source_file: string }>(
      'SELECT source_file FROM silver.listening_events WHERE event_id = ?',
      [duplicates[0]!.event_id],
    );
    expect(kept?.source_file).toMatch(/^lake\/first\//);
  });

  it('parses timestamps with an offset into UTC and files the event under its UTC day', async () => {
    // Prepare: 23:30 at UTC-05:00 on 1 January is 04:30 UTC on 2 January.
    const { events } = validGeneratedEvents({ ...FIRST_DAYS, count: 5, faultRate: 0 });
    const row = {
      ...bronzeRowOf(events[0]!, 'lake/zoned.ndjson.gz', FIRST_LOAD),
      event_timestamp: '2026-01-01T23:30:00.250-05:00',
    };
    await insertBronzeRows(local.warehouse, [row]);

    // Act
    await transform();

    // Assess
    const [silver] = await local.warehouse.query<{ event_ts: Date; event_day: Date }>(
      'SELECT event_ts, event_day FROM silver.listening_events',
    );
    expect(silver?.event_ts.toISOString()).toBe('2026-01-02T04:30:00.250Z');
    expect(silver?.event_day.toISOString().slice(0, 10)).toBe('2026-01-02');
  });

  it('an hourly run after new loads gives the same gold as a full rebuild, changing only the days touched', async () => {
    // Prepare: ten days, transformed; then a load with two more days and a late event for day one.
    const first = validGeneratedEvents(FIRST_DAYS).events;
    const later = validGeneratedEvents({
      ...FIRST_DAYS,
      seed: 42,
      count: 400,
      startMs: Date.parse('2026-01-11T02:00:00Z'),
    }).events;
    const lateEvent: ListeningEvent = {
      ...first[1]!,
      event_id: '11111111-1111-4111-8111-111111111111',
      event_type: 'skip',
      timestamp: '2026-01-01T12:00:00.000Z',
    };
    await insertBronzeRows(local.warehouse, bronzeRowsOf(first, FIRST_LOAD, 'lake/first'));
    await transform();
    const dauBefore = await readGoldReport(local.warehouse);

    // Act
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf([...later, lateEvent], '2026-01-13 00:05:00', 'lake/later'),
    );
    const incremental = await transform({ batchId: 'second-run' });
    const claimed = await local.warehouse.query<{ load_id: string }>(
      `SELECT load_id FROM silver.batch_loads WHERE batch_id = 'second-run'`,
    );
    // The rows the second run processed: silver's rows of the load it claimed.
    const [rebuiltBatch] = await local.warehouse.query<{ rows: number; rejected: number; days: number }>(
      `SELECT COUNT(*) AS rows, COUNT(DISTINCT event_day) AS days,
              (SELECT COUNT(*) FROM silver.rejected_events WHERE source_file LIKE 'lake/later%') AS rejected
       FROM silver.listening_events
       WHERE load_id = 'fixture/2'`,
    );
    const afterIncremental = await readGoldReport(local.warehouse);
    await transform({ fullRefresh: true });
    const afterFullRefresh = await readGoldReport(local.warehouse);

    // Assess
    // The second run claimed the new load, and only it.
    expect(claimed).toEqual([{ load_id: 'fixture/2' }]);
    expect(rebuiltBatch?.rows).toBe(later.length + 1); // the second run processed only the new rows
    expect(rebuiltBatch?.rejected).toBe(0);
    expect(incremental.tests.every((test) => test.failingRows === 0)).toBe(true);
    expect(comparable(afterIncremental)).toEqual(comparable(afterFullRefresh));
    expect(comparable(afterIncremental)).toEqual(comparable(expectedGold([...first, ...later, lateEvent])));
    // Days the new load did not touch kept their rows; the late event's day was recomputed.
    const touched = new Set([...later, lateEvent].map((event) => event.timestamp.slice(0, 10)));
    expect(rebuiltBatch?.days).toBe(touched.size);
    const untouched = dauBefore.daily_active_users.filter((row) => !touched.has(String(row.day)));
    expect(untouched.length).toBeGreaterThan(0);
    expect(afterIncremental.daily_active_users).toEqual(expect.arrayContaining(untouched));
  });

  it('a run that stops after silver leaves its days pending, and the next run rebuilds them', async () => {
    // Prepare: a first full run, then a new load that a run takes only as far as silver (as if
    // the warehouse failed right after silver committed).
    const first = validGeneratedEvents(FIRST_DAYS).events;
    const later = validGeneratedEvents({
      ...FIRST_DAYS,
      seed: 43,
      count: 300,
      startMs: Date.parse('2026-01-11T02:00:00Z'),
    });
    await insertBronzeRows(local.warehouse, bronzeRowsOf(first, FIRST_LOAD, 'lake/first'));
    await transform();
    await insertBronzeRows(local.warehouse, bronzeRowsOf(later.events, '2026-01-12 00:05:00', 'lake/later'));
    const manifest = loadTransformationManifest();
    const silverOnly = {
      ...manifest,
      models: manifest.models.filter(
        (m) => m.name === 'silver.setup' || m.name === 'silver.listening_events',
      ),
      tests: [],
    };
    await transform({ manifest: silverOnly });

    // Act: the next run finds no new bronze rows, but the pending days
    await transform();

    // Assess
    const [batch] = await local.warehouse.query<{ rows: number }>(
      'SELECT COUNT(*) AS rows FROM silver.batch_rejects',
    );
    expect(batch?.rows).toBe(0);
    const [pending] = await local.warehouse.query<{ days: number }>(
      'SELECT COUNT(*) AS days FROM silver.pending_days',
    );
    expect(pending?.days).toBe(0);
    expect(comparable(await readGoldReport(local.warehouse))).toEqual(
      comparable(expectedGold([...first, ...later.events])),
    );
  });

  it('a run with nothing new loaded changes nothing', async () => {
    // Prepare
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf(validGeneratedEvents(FIRST_DAYS).events, FIRST_LOAD, 'lake/first'),
    );
    await transform();
    const before = await readGoldReport(local.warehouse);

    // Act
    await transform({ batchId: 'nothing-new' });

    // Assess
    const [claimed] = await local.warehouse.query<{ loads: number }>(
      `SELECT COUNT(*) AS loads FROM silver.batch_loads WHERE batch_id = 'nothing-new'`,
    );
    expect(claimed?.loads).toBe(0);
    expect(await readGoldReport(local.warehouse)).toEqual(before);
  });

  it('a load sharing the instant the last run processed through is processed once, neither skipped nor twice', async () => {
    // Prepare: a first load, transformed; then another load stamped with the very same loaded_at.
    const first = validGeneratedEvents(FIRST_DAYS).events;
    const later = validGeneratedEvents({
      ...FIRST_DAYS,
      seed: 44,
      count: 300,
      startMs: Date.parse('2026-01-11T02:00:00Z'),
    }).events;
    await insertBronzeRows(local.warehouse, bronzeRowsOf(first, FIRST_LOAD, 'lake/first'));
    await transform();
    await insertBronzeRows(local.warehouse, bronzeRowsOf(later, FIRST_LOAD, 'lake/same-instant'));

    // Act
    await transform({ batchId: 'same-instant' });
    const [batch] = await local.warehouse.query<{ rows: number }>(
      `SELECT COUNT(*) AS rows FROM silver.listening_events WHERE load_id IN
         (SELECT load_id FROM silver.batch_loads WHERE batch_id = 'same-instant')`,
    );
    await transform({ batchId: 'after-it' });
    const [nextBatch] = await local.warehouse.query<{ loads: number }>(
      `SELECT COUNT(*) AS loads FROM silver.batch_loads WHERE batch_id = 'after-it'`,
    );

    // Assess
    expect(batch?.rows).toBe(later.length);
    expect(nextBatch?.loads).toBe(0);
    expect(comparable(await readGoldReport(local.warehouse))).toEqual(
      comparable(expectedGold([...first, ...later])),
    );
  });

  it('a load that commits after a batch claimed its loads is left for the next batch, never half taken', async () => {
    // Prepare: a first run; a second load; a batch that has run silver only; then a third load,
    // with a copy of one of the second load's events.
    const first = validGeneratedEvents(FIRST_DAYS).events;
    const later = validGeneratedEvents({
      ...FIRST_DAYS,
      seed: 45,
      count: 300,
      startMs: Date.parse('2026-01-11T02:00:00Z'),
    }).events;
    const latest = validGeneratedEvents({
      ...FIRST_DAYS,
      seed: 46,
      count: 300,
      startMs: Date.parse('2026-01-12T02:00:00Z'),
    }).events;
    await insertBronzeRows(local.warehouse, bronzeRowsOf(first, FIRST_LOAD, 'lake/first'));
    await transform();
    await insertBronzeRows(local.warehouse, bronzeRowsOf(later, '2026-01-12 00:05:00', 'lake/later'));
    const manifest = loadTransformationManifest();
    const upToSilver = {
      ...manifest,
      models: manifest.models.filter((m) => ['silver.setup', 'silver.listening_events'].includes(m.name)),
      tests: [],
    };
    await transform({ batchId: 'interrupted', manifest: upToSilver });
    await insertBronzeRows(local.warehouse, [
      ...bronzeRowsOf(latest, '2026-01-13 00:05:00', 'lake/latest'),
      bronzeRowOf(later[0]!, 'lake/latest/copy.ndjson.gz', '2026-01-13 00:05:00'),
    ]);

    // Act: the interrupted batch is redriven to the end, then the next batch runs
    await transform({ batchId: 'interrupted' });
    const [untaken] = await local.warehouse.query<{ rows: number }>(
      `SELECT COUNT(*) AS rows FROM silver.listening_events WHERE source_file LIKE 'lake/latest%'`,
    );
    const next = await transform({ batchId: 'next' });

    // Assess
    expect(untaken?.rows).toBe(0);
    expect(next.tests.every((test) => test.failingRows === 0)).toBe(true);
    const [copy] = await local.warehouse.query<{ reason: string }>(
      `SELECT reason FROM silver.rejected_events WHERE source_file = 'lake/latest/copy.ndjson.gz'`,
    );
    expect(copy?.reason).toBe('duplicate event_id');
    expect(comparable(await readGoldReport(local.warehouse))).toEqual(
      comparable(expectedGold([...first, ...later, ...latest])),
    );
  });

  it('fails loudly when a data-quality test finds rows, naming the test and showing a sample', async () => {
    // Prepare: a run that passes, then a duplicate written straight into silver behind its back,
    // which only the checks over all of history see (no batch added it).
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf(validGeneratedEvents(FIRST_DAYS).events, FIRST_LOAD, 'lake/first'),
    );
    await transform();
    await local.warehouse.execute(
      'INSERT INTO silver.listening_events SELECT * FROM silver.listening_events ORDER BY event_id LIMIT 7',
    );

    // Act
    const batchChecks = await transform();
    const failure = await transform({ fullChecks: true }).catch((error: unknown) => error);

    // Assess
    expect(batchChecks.tests.every((test) => test.failingRows === 0)).toBe(true);
    expect(failure).toBeInstanceOf(DataQualityError);
    const error = failure as DataQualityError;
    const unique = error.failures.find((test) => test.name === 'silver_listening_events_unique_event_id');
    expect(unique?.failingRows).toBe(7);
    expect(unique?.sample).toHaveLength(5);
    expect(unique?.sample[0]).toEqual({ event_id: expect.any(String), copies: 2 });
    // The message becomes a failed run's cause on AWS, which the alarm topic publishes: it names the
    // test, its count and the query that lists the rows, and holds no row.
    expect(error.message).toMatch(
      /- silver_listening_events_unique_event_id: 7 failing row\(s\); sql\/tests\/full_history\/silver_listening_events_unique_event_id\.sql lists them/,
    );
    for (const row of unique?.sample ?? []) expect(error.message).not.toContain(String(row.event_id));
    expect(describeFailuresWithSamples(error.failures)).toContain(
      `"event_id":"${unique?.sample[0]?.event_id}","copies":2`,
    );
    // The same rows break reconciliation with bronze: that test fails too, and says so.
    expect(error.failures.map((test) => test.name)).toContain('silver_reconciles_with_bronze');
  });
  it('counts a cohort day-1 retention only once that day is complete: a later UTC day has events', async () => {
    // Prepare: two users start on 5 January; one comes back at 08:00 on the 6th, the other at 23:00.
    const template = validGeneratedEvents({ ...FIRST_DAYS, count: 1, faultRate: 0 }).events[0]!;
    const event = (n: number, user_id: string, timestamp: string): ListeningEvent => ({
      ...template,
      event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      user_id,
      timestamp,
    });
    const cohortDay = [
      event(1, 'user_a', '2026-01-05T10:00:00.000Z'),
      event(2, 'user_b', '2026-01-05T11:00:00.000Z'),
    ];
    const morningOfDay1 = [event(3, 'user_a', '2026-01-06T08:00:00.000Z')];
    const nightOfDay1 = [event(4, 'user_b', '2026-01-06T23:00:00.000Z')];
    const nextDay = [event(5, 'user_c', '2026-01-07T00:05:00.000Z')];
    const cohortOf5January = async () =>
      (await readGoldReport(local.warehouse)).cohort_retention.find((row) => row.cohort_day === '2026-01-05');

    // Act
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf([...cohortDay, ...morningOfDay1], FIRST_LOAD, 'lake/a'),
    );
    await transform();
    const whileDay1IsInProgress = await cohortOf5January();
    await insertBronzeRows(local.warehouse, bronzeRowsOf(nightOfDay1, FIRST_LOAD, 'lake/b'));
    await transform();
    const atDay1sLastEvent = await cohortOf5January();
    await insertBronzeRows(local.warehouse, bronzeRowsOf(nextDay, FIRST_LOAD, 'lake/c'));
    await transform();
    const onceDay2HasEvents = await cohortOf5January();

    // Assess: half the cohort came back on day 1, but that is known only once day 1 is over.
    expect(whileDay1IsInProgress).toMatchObject({
      cohort_size: 2,
      day_1_retained: null,
      day_1_retention_rate: null,
    });
    expect(atDay1sLastEvent).toMatchObject({
      cohort_size: 2,
      day_1_retained: null,
      day_1_retention_rate: null,
    });
    expect(onceDay2HasEvents).toMatchObject({
      cohort_size: 2,
      day_1_retained: 2,
      day_1_retention_rate: 1,
      day_7_retained: null,
    });
  });

  it.each([
    [
      'gold_active_users_windows_match_silver',
      'UPDATE gold.active_users SET weekly_active_users = weekly_active_users + 1 WHERE day = (SELECT MAX(day) FROM gold.active_users)',
    ],
    [
      'gold_hourly_event_volume_matches_silver',
      'UPDATE gold.hourly_event_volume SET plays = plays + 1, events = events + 1 WHERE hour = (SELECT MAX(hour) FROM gold.hourly_event_volume)',
    ],
    [
      'gold_listening_sessions_match_state',
      'UPDATE gold.listening_sessions SET sessions = sessions + 1 WHERE day = (SELECT MAX(day) FROM gold.listening_sessions)',
    ],
    [
      'gold_skip_rate_anomalies_consistent',
      "INSERT INTO gold.skip_rate_anomalies SELECT DATE '2026-01-05', 'song_000001', 'x', 'y', 40, 20, 0.5, 0.1, 7, 5, 'b'",
    ],
  ])('GIVEN gold altered behind the runner WHEN %s checks the batch and all of history THEN it finds the row each time', async (name, alteration) => {
    // Prepare
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf(withoutSessionIds(validGeneratedEvents(FIRST_DAYS).events, 4), FIRST_LOAD, 'lake/first'),
    );
    const batchId = 'checked';
    await transform({ batchId });
    await local.warehouse.execute(alteration);
    const test = loadTransformationManifest().tests.find((candidate) => candidate.name === name)!;

    // Act
    const batch = await runDataQualityTest(local.warehouse, DEFAULT_SQL_DIR, test, {
      batchId,
      fullHistory: false,
    });
    const history = await runDataQualityTest(local.warehouse, DEFAULT_SQL_DIR, test, {
      batchId,
      fullHistory: true,
    });

    // Assess
    expect(batch.failingRows).toBe(1);
    expect(history.failingRows).toBe(1);
  });
});
