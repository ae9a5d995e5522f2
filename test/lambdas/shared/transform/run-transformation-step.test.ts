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
  bronzeRowOf,
  bronzeRowsOf,
  insertBronzeRows,
  openTestWarehouse,
  type TestWarehouse,
  validGeneratedEvents,
} from './bronze-fixture.js';
import { comparable, expectedGold } from './expected-gold.js';

const DAYS = { seed: 43, count: 1500, users: 20, songs: 6, faultRate: 0.05, eventsPerSecond: 0.003 };
const LOADED_AT = '2026-01-08 00:05:00';

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
    await insertBronzeRows(local.warehouse, bronzeRowsOf(events, LOADED_AT, 'lake'));
    const manifest = loadTransformationManifest();

    // Act: the order within a wave is not promised by a Parallel state, so run it backwards.
    for (const wave of planWaves(manifest)) {
      for (const model of [...wave].reverse()) {
        const result = await runTransformationStep(local.warehouse, {
          kind: 'model',
          model: model.name,
          fullRefresh: false,
        });
        expect(result).toEqual({ kind: 'model', model: model.name, statements: model.files.length });
      }
    }
    for (const test of manifest.tests) {
      expect(await runTransformationStep(local.warehouse, { kind: 'test', test: test.name })).toEqual({
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

  it('GIVEN silver holding an event twice WHEN the unique-event_id test runs as a step THEN it throws DataQualityError naming the test and the event', async () => {
    const { events } = validGeneratedEvents(DAYS);
    await insertBronzeRows(local.warehouse, [bronzeRowOf(events[0]!, 'lake/part-0.ndjson.gz', LOADED_AT)]);
    for (const wave of planWaves(loadTransformationManifest())) {
      for (const model of wave) {
        await runTransformationStep(local.warehouse, {
          kind: 'model',
          model: model.name,
          fullRefresh: false,
        });
      }
    }
    await local.warehouse.execute(
      `INSERT INTO silver.listening_events SELECT * FROM silver.listening_events WHERE event_id = '${events[0]!.event_id}'`,
    );

    const step = runTransformationStep(local.warehouse, {
      kind: 'test',
      test: 'silver_listening_events_unique_event_id',
    });

    await expect(step).rejects.toBeInstanceOf(DataQualityError);
    await expect(step).rejects.toThrow(/silver_listening_events_unique_event_id: 1 failing row/);
    await expect(step).rejects.toThrow(events[0]!.event_id);
  });

  it('GIVEN a model or test the manifest does not know WHEN run as a step THEN it says which names exist, and runs nothing', async () => {
    await expect(
      runTransformationStep(local.warehouse, { kind: 'model', model: 'gold.top_song', fullRefresh: false }),
    ).rejects.toThrow(/no model "gold\.top_song" in sql\/manifest\.json: use one of .*gold\.top_songs/);
    await expect(runTransformationStep(local.warehouse, { kind: 'test', test: 'nope' })).rejects.toThrow(
      TransformationStepError,
    );
  });
});

describe('parseTransformationStep', () => {
  it('GIVEN the payloads the state machine sends THEN it reads them, fullRefresh false unless true', () => {
    expect(parseTransformationStep({ kind: 'model', model: 'gold.top_songs', fullRefresh: true })).toEqual({
      kind: 'model',
      model: 'gold.top_songs',
      fullRefresh: true,
    });
    expect(parseTransformationStep({ kind: 'model', model: 'gold.top_songs' })).toEqual({
      kind: 'model',
      model: 'gold.top_songs',
      fullRefresh: false,
    });
    expect(parseTransformationStep({ kind: 'test', test: 'gold_skip_rate_consistent' })).toEqual({
      kind: 'test',
      test: 'gold_skip_rate_consistent',
    });
  });

  it('GIVEN a payload of neither shape, or a fullRefresh that is not a boolean THEN it says what is expected', () => {
    expect(() => parseTransformationStep({ model: 'gold.top_songs' })).toThrow(
      /is neither \{"kind":"model","model":NAME,"fullRefresh":BOOLEAN\} nor \{"kind":"test","test":NAME\}/,
    );
    expect(() => parseTransformationStep(null)).toThrow(TransformationStepError);
    expect(() => parseTransformationStep({ kind: 'model', model: 'm', fullRefresh: 'yes' })).toThrow(
      /fullRefresh is "yes": use true or false/,
    );
  });
});
