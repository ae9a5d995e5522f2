import { describe, expect, it } from 'vitest';
import { GOLD_REPORT_MODELS } from '../../../../lambdas/shared/transform/gold-report.js';
import {
  loadTransformationManifest,
  ManifestError,
  parseTransformationManifest,
  planWaves,
  unfoldedBatchesFilter,
} from '../../../../lambdas/shared/transform/transformation-manifest.js';

const everyFileExists = { source: 'test manifest', fileExists: () => true };

function model(name: string, dependsOn: string[] = [], files = [`${name}.sql`]) {
  return { name, description: '', refresh: 'incremental', dependsOn, files };
}

describe('the project manifest, sql/manifest.json', () => {
  it('loads, names every file that exists, and orders models after their dependencies', () => {
    // Act
    const manifest = loadTransformationManifest();
    const order = planWaves(manifest)
      .flat()
      .map((m) => m.name);

    // Assess
    for (const m of manifest.models) {
      for (const dependency of m.dependsOn)
        expect(order.indexOf(dependency)).toBeLessThan(order.indexOf(m.name));
    }
    expect(order).toHaveLength(manifest.models.length);
  });

  it('has exactly the gold models the report reads, and tests that all check known models', () => {
    // Act
    const manifest = loadTransformationManifest();

    // Assess
    expect(
      manifest.models
        .map((m) => m.name)
        .filter((name) => name.startsWith('gold.') && name !== 'gold.setup')
        .sort(),
    ).toEqual(GOLD_REPORT_MODELS.map((model) => `gold.${model}`).sort());
    expect(GOLD_REPORT_MODELS).toHaveLength(12);
    expect(manifest.tests.length).toBeGreaterThanOrEqual(13);
  });

  it('groups independent models into waves', () => {
    // Act
    const waves = planWaves(loadTransformationManifest()).map((wave) => wave.map((m) => m.name));

    // Assess
    expect(waves[0]).toEqual(['silver.setup']);
    expect(waves[1]).toEqual(['gold.setup', 'silver.listening_events']);
    expect(waves[2]).toEqual(
      expect.arrayContaining([
        'gold.daily_active_users',
        'gold.user_retention',
        'gold.device_usage',
        'silver.song_names',
      ]),
    );
  });
});

describe('parseTransformationManifest', () => {
  it('GIVEN a diamond of dependencies THEN waves put each model after all it needs', () => {
    // Prepare
    const raw = {
      version: 1,
      models: [model('d', ['b', 'c']), model('b', ['a']), model('c', ['a']), model('a')],
      tests: [],
    };

    // Act
    const waves = planWaves(parseTransformationManifest(raw, everyFileExists)).map((wave) =>
      wave.map((m) => m.name),
    );

    // Assess
    expect(waves).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('rejects a dependency on a model that does not exist, naming both', () => {
    const raw = { version: 1, models: [model('gold.x', ['silver.nope'])], tests: [] };
    expect(() => parseTransformationManifest(raw, everyFileExists)).toThrow(ManifestError);
    expect(() => parseTransformationManifest(raw, everyFileExists)).toThrow(
      /model "gold.x" depends on "silver.nope", which is not a model/,
    );
  });

  it('rejects a dependency cycle, naming the models caught in it', () => {
    const raw = { version: 1, models: [model('a'), model('b', ['c']), model('c', ['b'])], tests: [] };
    expect(() => parseTransformationManifest(raw, everyFileExists)).toThrow(/form a cycle: b, c/);
  });

  it('rejects a file that does not exist, naming its model and the file', () => {
    const raw = { version: 1, models: [model('a', [], ['silver/missing.sql'])], tests: [] };
    expect(() =>
      parseTransformationManifest(raw, {
        source: 'm.json',
        fileExists: (file) => file !== 'silver/missing.sql',
      }),
    ).toThrow('m.json: model "a" names "silver/missing.sql", which does not exist under sql/');
  });

  it('rejects a test of an unknown model, a duplicate model, an unknown refresh and a path outside sql/', () => {
    const test = { name: 't', file: 'tests/t.sql', models: ['nope'] };
    expect(() =>
      parseTransformationManifest({ version: 1, models: [model('a')], tests: [test] }, everyFileExists),
    ).toThrow(/test "t" checks "nope", which is not a model/);
    expect(() =>
      parseTransformationManifest({ version: 1, models: [model('a'), model('a')] }, everyFileExists),
    ).toThrow(/model "a" is defined twice/);
    expect(() =>
      parseTransformationManifest(
        { version: 1, models: [{ ...model('a'), refresh: 'sometimes' }] },
        everyFileExists,
      ),
    ).toThrow(/"refresh" must be one of setup, incremental, folds-batches/);
    expect(() =>
      parseTransformationManifest(
        { version: 1, models: [model('a', [], ['../secrets.sql'])] },
        everyFileExists,
      ),
    ).toThrow(/must be a path inside sql\//);
    expect(() => parseTransformationManifest({ version: 2, models: [] }, everyFileExists)).toThrow(
      /"version" must be 1/,
    );
  });

  it("GIVEN a folds-batches model WHEN its SQL selects unfolded batches by another model's name THEN it is rejected, naming the file", () => {
    const folding = { ...model('gold.x', [], ['gold/x.sql', 'gold/y.sql']), refresh: 'folds-batches' };
    const files: Record<string, string> = {
      'gold/x.sql': `SELECT 1 FROM silver.listening_events AS e WHERE ${unfoldedBatchesFilter('gold.x')}`,
      'gold/y.sql': `SELECT 1 FROM silver.listening_events AS e WHERE ${unfoldedBatchesFilter('gold.other')}`,
    };
    const parse = (names: string[]) =>
      parseTransformationManifest(
        { version: 1, models: [{ ...folding, files: names }] },
        { ...everyFileExists, readFile: (file) => files[file]! },
      );

    expect(parse(['gold/x.sql']).models[0]!.refresh).toBe('folds-batches');
    expect(() => parse(['gold/x.sql', 'gold/y.sql'])).toThrow(
      /model "gold.x" folds batches, so its SQL must select the rows it folds with .*'gold.x'\)\); sql\/gold\/y.sql does not/,
    );
  });

  it('GIVEN a model that empties the pending days WHEN a model reading them is not among its dependencies THEN it is rejected, naming both', () => {
    const files: Record<string, string> = {
      'gold/read.sql': 'DELETE FROM gold.x WHERE day IN (SELECT event_day FROM silver.pending_days)',
      'silver/clear.sql': 'DELETE FROM silver.pending_days',
    };
    const parse = (finishDependsOn: string[]) =>
      parseTransformationManifest(
        {
          version: 1,
          models: [
            model('gold.x', [], ['gold/read.sql']),
            model('gold.y', [], ['gold/read.sql']),
            model('gold.z', ['gold.y'], ['gold/read.sql']),
            model('silver.finish', finishDependsOn, ['silver/clear.sql']),
          ],
        },
        { ...everyFileExists, readFile: (file) => files[file]! },
      );

    expect(parse(['gold.x', 'gold.z']).models).toHaveLength(4);
    expect(() => parse(['gold.z'])).toThrow(
      /model "silver.finish" empties silver.pending_days, which model "gold.x" reads: add "gold.x" to the dependsOn of "silver.finish"/,
    );
  });
});
