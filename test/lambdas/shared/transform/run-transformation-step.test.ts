import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoldReport, readGoldReport } from '../../../../lambdas/shared/transform/gold-report.js';
import { DataQualityError } from '../../../../lambdas/shared/transform/run-transformation.js';
import {
  parseTransformationStep,
  runTransformationStep,
  TransformationStepError,
} from '../../../../lambdas/shared/transform/run-transformation-step.js';
import {
  loadTransformationManifest,
  planWaves,
} from '../../../../lambdas/shared/transform/transformation-manifest.js';
import {
  DEFAULT_SQL_DIR,
  readDuckDbCompatibilitySql,
} from '../../../../lambdas/shared/warehouse/sql-files.js';
import { openDuckDbWarehouse } from '../../../../local/warehouse/duckdb-warehouse.js';
import { NOTHING_PENDING, oneLoadPending } from '../../../support/pending-work.js';
import {
  bronzeRowOf,
  bronzeRowsOf,
  insertBronzeRows,
  LOADED_AFTER_FIRST_WEEK,
  openTestWarehouse,
  type TestWarehouse,
  validGeneratedEvents,
} from './bronze-fixture.js';
import { comparable, expectedGold } from './expected-gold.js';

const DAYS = { seed: 43, count: 1500, users: 20, songs: 6, faultRate: 0.05, eventsPerSecond: 0.003 };

describe('runTransformationStep: one state-machine task at a time', () => {
  let local: TestWarehouse;
  beforeEach(async () => {
    local = await openTestWarehouse();
  });
  afterEach(async () => {
    await local.dispose();
  });

  it('GIVEN bronze rows WHEN every model runs as its own step, wave by wave in reverse order within a wave, then every test THEN gold matches values computed independently from the events', async () => {
    // Prepare
    const { events } = validGeneratedEvents(DAYS);
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'));
    const manifest = loadTransformationManifest();

    // Act: the order within a wave is not promised by a Parallel state, so run it backwards.
    for (const wave of planWaves(manifest)) {
      for (const model of [...wave].reverse()) {
        const result = await runTransformationStep(local.warehouse, {
          kind: 'model',
          model: model.name,
          fullRefresh: false,
          batchId: 'execution-1',
        });
        expect(result).toEqual({
          kind: 'model',
          model: model.name,
          statements: model.files.length,
          alreadyDone: false,
        });
      }
    }
    for (const test of manifest.tests) {
      expect(
        await runTransformationStep(local.warehouse, {
          kind: 'test',
          test: test.name,
          batchId: 'execution-1',
          fullChecks: false,
        }),
      ).toEqual({
        kind: 'test',
        test: test.name,
        failingRows: 0,
      });
    }

    // Assess
    const report = await readGoldReport(local.warehouse);
    const expected = expectedGold(events);
    for (const model of Object.keys(expected) as (keyof GoldReport)[]) {
      expect(comparable({ [model]: report[model] } as GoldReport), model).toEqual(
        comparable({ [model]: expected[model] } as GoldReport),
      );
    }
  });

  it('GIVEN silver holding an event twice behind the batches WHEN the unique-event_id test runs as a step over all of history THEN it throws DataQualityError naming the test and its count, and holding the event for the command line', async () => {
    const { events } = validGeneratedEvents(DAYS);
    await insertBronzeRows(local.warehouse, [
      bronzeRowOf(events[0]!, 'lake/part-0.ndjson.gz', LOADED_AFTER_FIRST_WEEK),
    ]);
    for (const wave of planWaves(loadTransformationManifest())) {
      for (const model of wave) {
        await runTransformationStep(local.warehouse, {
          kind: 'model',
          model: model.name,
          fullRefresh: false,
          batchId: 'execution-1',
        });
      }
    }
    await local.warehouse.execute(
      `INSERT INTO silver.listening_events SELECT * FROM silver.listening_events WHERE event_id = '${events[0]!.event_id}'`,
    );

    const step = runTransformationStep(local.warehouse, {
      kind: 'test',
      test: 'silver_listening_events_unique_event_id',
      batchId: 'execution-1',
      fullChecks: true,
    });

    const failure = (await step.catch((error: unknown) => error)) as DataQualityError;
    expect(failure).toBeInstanceOf(DataQualityError);
    expect(failure.message).toMatch(/silver_listening_events_unique_event_id: 1 failing row/);
    // The rows stay out of the message (the run's cause, published to the alarm topic).
    expect(failure.message).not.toContain(events[0]!.event_id);
    expect(failure.failures[0]?.sample).toEqual([expect.objectContaining({ event_id: events[0]!.event_id })]);
  });

  it('GIVEN a batch whose id reached silver twice through the key WHEN the unique-event_id test checks that batch THEN it finds the event; checking another batch finds nothing', async () => {
    const { events } = validGeneratedEvents(DAYS);
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'));
    await runEveryModel('execution-1');
    // A second copy of one of the batch's events, with its key, as a faulty statement would leave it.
    await local.warehouse.execute(
      `INSERT INTO silver.listening_events SELECT * FROM silver.listening_events WHERE event_id = '${events[3]!.event_id}'`,
    );
    await local.warehouse.execute(
      `INSERT INTO silver.event_keys SELECT event_key, event_day FROM silver.event_keys WHERE event_key = CAST(HASH('${events[3]!.event_id}') % 4611686018427387904 AS BIGINT)`,
    );
    const check = (batchId: string) =>
      runTransformationStep(local.warehouse, {
        kind: 'test',
        test: 'silver_listening_events_unique_event_id',
        batchId,
        fullChecks: false,
      });

    const failure = (await check('execution-1').catch((error: unknown) => error)) as DataQualityError;
    expect(failure.message).toMatch(/silver_listening_events_unique_event_id: 1 failing row/);
    expect(failure.failures[0]?.sample).toEqual([expect.objectContaining({ event_id: events[3]!.event_id })]);
    await expect(check('execution-2')).resolves.toMatchObject({ failingRows: 0 });
  });

  /** Every row silver and gold hold, in a stable order: what "changes nothing" is checked against. */
  async function everyRow(): Promise<Record<string, unknown>> {
    const rows = (sql: string) => local.warehouse.query(sql);
    return {
      silver: await rows(
        'SELECT * EXCLUDE (load_id) FROM silver.listening_events ORDER BY event_id, source_file',
      ),
      rejected: await rows('SELECT * FROM silver.rejected_events ORDER BY event_id, source_file, reason'),
      pending: await rows('SELECT * FROM silver.pending_days ORDER BY event_day'),
      gold: comparable(await readGoldReport(local.warehouse)),
    };
  }

  /** Every model of the manifest as its own step of one batch, wave by wave. */
  async function runEveryModel(batchId: string, fullRefresh = false) {
    const outcomes = [];
    for (const wave of planWaves(loadTransformationManifest()))
      for (const model of wave)
        outcomes.push(
          await runTransformationStep(local.warehouse, {
            kind: 'model',
            model: model.name,
            fullRefresh,
            batchId,
          }),
        );
    return outcomes;
  }

  it.each([
    false,
    true,
  ])('GIVEN a batch (full refresh: %s) whose every step committed WHEN each step is repeated for that batch, as a retry or a redrive would THEN each says it was done and silver and gold keep every row', async (fullRefresh) => {
    // Prepare: one load with faults (duplicates reach bronze), a batch run to the end
    const { events, duplicates } = validGeneratedEvents(DAYS);
    await insertBronzeRows(local.warehouse, [
      ...bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'),
      bronzeRowOf(duplicates[0]!, 'lake/replayed.ndjson.gz', LOADED_AFTER_FIRST_WEEK),
    ]);
    await runEveryModel('execution-1', fullRefresh);
    const afterOneRun = await everyRow();

    // Act
    const repeated = await runEveryModel('execution-1', fullRefresh);

    // Assess
    expect(repeated.every((outcome) => outcome.kind === 'model' && outcome.alreadyDone)).toBe(true);
    expect(await everyRow()).toEqual(afterOneRun);
    expect((afterOneRun.silver as unknown[]).length).toBe(events.length);
    expect(afterOneRun.gold).toEqual(comparable(expectedGold(events)));
  });

  it('GIVEN the silver step committed but its answer was lost WHEN the step is retried THEN silver holds the batch once, and the later steps build gold as one run would', async () => {
    // Prepare
    const { events } = validGeneratedEvents(DAYS);
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'));
    const step = (model: string) =>
      runTransformationStep(local.warehouse, {
        kind: 'model',
        model,
        fullRefresh: false,
        batchId: 'execution-1',
      });
    await step('silver.setup');
    await step('gold.setup');
    await step('silver.listening_events');

    // Act: the retry
    const retried = await step('silver.listening_events');
    const rest = await runEveryModel('execution-1');

    // Assess
    expect(retried).toEqual({
      kind: 'model',
      model: 'silver.listening_events',
      statements: 0,
      alreadyDone: true,
    });
    expect(rest.filter((outcome) => outcome.kind === 'model' && !outcome.alreadyDone).length).toBe(
      loadTransformationManifest().models.length - 3,
    );
    const [counts] = await local.warehouse.query<{ rows: number; ids: number }>(
      'SELECT COUNT(*) AS rows, COUNT(DISTINCT event_id) AS ids FROM silver.listening_events',
    );
    expect(counts).toEqual({ rows: events.length, ids: events.length });
    expect(comparable(await readGoldReport(local.warehouse))).toEqual(comparable(expectedGold(events)));
  });

  it('GIVEN loads no batch has claimed, or days left pending WHEN asked for pending work THEN it says so, and when the oldest load gold does not reflect was loaded; after a full run it says there is none', async () => {
    // Prepare
    const { events } = validGeneratedEvents(DAYS);
    const pending = () => runTransformationStep(local.warehouse, { kind: 'pending-work' });
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'));

    // Act
    const beforeFirstRun = await pending();
    await runEveryModel('execution-1');
    const afterRun = await pending();
    await insertBronzeRows(local.warehouse, [
      bronzeRowOf(events[0]!, 'lake/again.ndjson.gz', '2026-01-09 10:15:30'),
    ]);
    const afterAnotherLoad = await pending();

    // Assess
    expect(beforeFirstRun).toEqual(oneLoadPending('2026-01-08T00:05:00.000Z'));
    expect(afterRun).toEqual(NOTHING_PENDING);
    expect(afterAnotherLoad).toEqual(oneLoadPending('2026-01-09T10:15:30.000Z'));
  });

  it('GIVEN a batch that claimed a load but stopped before gold folded it, and a newer load since WHEN asked for pending work THEN the claimed load is the oldest gold does not reflect; after a run to the end none is', async () => {
    // Prepare: a first load run to the end; a second that a batch took only as far as silver (as
    // if the warehouse failed right after silver committed) and two of the folding models; a third
    // that no batch has claimed.
    const first = validGeneratedEvents(DAYS).events;
    const later = validGeneratedEvents({
      ...DAYS,
      seed: 44,
      count: 200,
      startMs: Date.parse('2026-01-09T00:00:00Z'),
    }).events;
    await insertBronzeRows(local.warehouse, bronzeRowsOf(first, LOADED_AFTER_FIRST_WEEK, 'lake/first'));
    await runEveryModel('execution-1');
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf(later.slice(0, 150), '2026-01-10 00:05:00', 'lake/later'),
    );
    for (const model of [
      'silver.setup',
      'gold.setup',
      'silver.listening_events',
      'silver.song_names',
      'gold.top_songs',
    ])
      await runTransformationStep(local.warehouse, {
        kind: 'model',
        model,
        fullRefresh: false,
        batchId: 'execution-2',
      });
    await insertBronzeRows(
      local.warehouse,
      bronzeRowsOf(later.slice(150), '2026-01-10 01:05:00', 'lake/latest'),
    );

    // Act
    const halfway = await runTransformationStep(local.warehouse, { kind: 'pending-work' });
    await runEveryModel('execution-3');
    const afterRun = await runTransformationStep(local.warehouse, { kind: 'pending-work' });

    // Assess
    expect(halfway).toEqual({
      kind: 'pending-work',
      hasWork: true,
      unclaimedLoads: 1,
      pendingDays: new Set(later.slice(0, 150).map((event) => event.timestamp.slice(0, 10))).size,
      unfoldedBatches: 1,
      oldestPendingLoadAt: '2026-01-10T00:05:00.000Z',
    });
    expect(afterRun).toEqual(NOTHING_PENDING);
    expect(comparable(await readGoldReport(local.warehouse))).toEqual(
      comparable(expectedGold([...first, ...later])),
    );
  });

  it('GIVEN a warehouse the loader has not set up WHEN asked for pending work THEN there is none, and no load is pending', async () => {
    const empty = await openDuckDbWarehouse(':memory:', readDuckDbCompatibilitySql(DEFAULT_SQL_DIR));
    try {
      expect(await runTransformationStep(empty, { kind: 'pending-work' })).toEqual(NOTHING_PENDING);
    } finally {
      await empty.close();
    }
  });

  it('GIVEN a model or test the manifest does not know WHEN run as a step THEN it says which names exist, and runs nothing', async () => {
    await expect(
      runTransformationStep(local.warehouse, {
        kind: 'model',
        model: 'gold.top_song',
        fullRefresh: false,
        batchId: 'execution-1',
      }),
    ).rejects.toThrow(/no model "gold\.top_song" in sql\/manifest\.json: use one of .*gold\.top_songs/);
    await expect(
      runTransformationStep(local.warehouse, {
        kind: 'test',
        test: 'nope',
        batchId: 'e-1',
        fullChecks: false,
      }),
    ).rejects.toThrow(TransformationStepError);
  });
});

describe('parseTransformationStep', () => {
  it('GIVEN the payloads the state machine sends THEN it reads them, fullRefresh false unless true', () => {
    expect(
      parseTransformationStep({ kind: 'model', model: 'gold.top_songs', fullRefresh: true, batchId: 'e-1' }),
    ).toEqual({ kind: 'model', model: 'gold.top_songs', fullRefresh: true, batchId: 'e-1' });
    expect(parseTransformationStep({ kind: 'model', model: 'gold.top_songs', batchId: 'e-1' })).toEqual({
      kind: 'model',
      model: 'gold.top_songs',
      fullRefresh: false,
      batchId: 'e-1',
    });
    expect(parseTransformationStep({ kind: 'pending-work', batchId: 'e-1' })).toEqual({
      kind: 'pending-work',
    });
    expect(
      parseTransformationStep({ kind: 'test', test: 'gold_skip_rate_consistent', batchId: 'e-1' }),
    ).toEqual({
      kind: 'test',
      test: 'gold_skip_rate_consistent',
      batchId: 'e-1',
      fullChecks: false,
    });
    expect(
      parseTransformationStep({
        kind: 'test',
        test: 'gold_skip_rate_consistent',
        batchId: 'e-1',
        fullChecks: true,
      }),
    ).toMatchObject({ fullChecks: true });
  });

  it('GIVEN a payload of no known shape, a fullRefresh that is not a boolean, or a model step without a batch THEN it says what is expected', () => {
    expect(() => parseTransformationStep({ model: 'gold.top_songs' })).toThrow(
      /is none of \{"kind":"model","model":NAME,"fullRefresh":BOOLEAN,"batchId":ID\}, \{"kind":"test","test":NAME,"batchId":ID,"fullChecks":BOOLEAN\}, \{"kind":"pending-work"\}, \{"kind":"new-anomalies","batchId":ID,"fullRefresh":BOOLEAN\} and \{"kind":"audit"\}/,
    );
    expect(() => parseTransformationStep({ kind: 'test', test: 'gold_skip_rate_consistent' })).toThrow(
      /the test step .* has no batchId: a test checks what that batch added/,
    );
    expect(() =>
      parseTransformationStep({ kind: 'test', test: 't', batchId: 'e', fullChecks: 'yes' }),
    ).toThrow(/fullChecks is "yes": use true or false/);
    expect(() => parseTransformationStep({ kind: 'model', model: 'gold.top_songs' })).toThrow(
      /has no batchId: the state machine sends its execution's name/,
    );
    expect(() => parseTransformationStep(null)).toThrow(TransformationStepError);
    expect(() =>
      parseTransformationStep({ kind: 'model', model: 'm', fullRefresh: 'yes', batchId: 'e' }),
    ).toThrow(/fullRefresh is "yes": use true or false/);
  });
});
