import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumeBatch } from '../../../lambdas/consumer/consume-batch.js';
import { generateEventLines } from '../../../lambdas/producer/generator/generate-events.js';
import { readGoldReport } from '../../../lambdas/shared/transform/gold-report.js';
import {
  loadTransformationManifest,
  planWaves,
} from '../../../lambdas/shared/transform/transformation-manifest.js';
import { validGeneratedEvents } from '../../lambdas/shared/transform/bronze-fixture.js';
import { comparable, expectedGold } from '../../lambdas/shared/transform/expected-gold.js';
import {
  type Invocation,
  invokeBundle,
  invokeBundleForMetrics,
  localWarehouseEnvironment,
  synthesizedPipeline,
} from '../../support/deployed-functions.js';
import { sqlRunnerMetricDocument } from '../../support/embedded-metrics.js';
import { localS3, uniqueName } from '../../support/local-clients.js';
import { anMskEvent, anMskRecord } from '../../support/msk-event-factory.js';
import { NOTHING_PENDING, oneLoadPending } from '../../support/pending-work.js';
import { SnowflakeOverDuckDb } from '../../support/snowflake-over-duckdb.js';

/** The lake's events: a few days of listening, 3% faults (malformed ones go to quarantine, duplicates reach the lake). */
const EVENTS = { seed: 29, count: 1_200, users: 25, songs: 8, faultRate: 0.03, eventsPerSecond: 0.005 };

// The deployed code, exactly: the app is synthesized as `cdk deploy` would, and each function's
// asset folder (esbuild's bundle plus the copy of sql/) is run with plain Node, outside this
// repository's node_modules, against the S3 server, its Secrets Manager and a Snowflake endpoint
// whose statements run on DuckDB.
describe('the warehouse functions as bundled for deployment', () => {
  let warehouse: ReturnType<typeof synthesizedPipeline>;
  let snowflake: SnowflakeOverDuckDb;
  let bucket: string;
  const environment: Record<string, string> = {};

  beforeAll(async () => {
    warehouse = synthesizedPipeline();
    bucket = uniqueName('lake');
    await localS3().send(new CreateBucketCommand({ Bucket: bucket }));
    const lines = [...generateEventLines(EVENTS)].map((line) => line.text);
    for (let start = 0; start < lines.length; start += 200) {
      const records = lines
        .slice(start, start + 200)
        .map((value, index) => anMskRecord({ offset: start + index, value, timestamp: Date.now() }));
      await consumeBatch(anMskEvent(records), { s3: localS3(), bucket }, Date.now());
    }
    snowflake = await SnowflakeOverDuckDb.open(':memory:', { s3: localS3(), bucket });
    Object.assign(
      environment,
      await localWarehouseEnvironment(inject('s3Endpoint'), await snowflake.start()),
    );
  }, 300_000);
  afterAll(() => snowflake?.stop());

  const invoke = (fn: 'loader' | 'sqlRunner', event: unknown, extra: Record<string, string> = {}) =>
    invokeBundle(warehouse[fn], event, { ...environment, ...extra });

  /** The bundled SQL runner's pending-work step: its result, what it published, and when it ran. */
  async function pendingWorkStep(batchId: string) {
    const startedAt = Date.now();
    const { invocation, metrics } = await invokeBundleForMetrics(
      warehouse.sqlRunner,
      { kind: 'pending-work', batchId },
      environment,
    );
    return { result: invocation.result, metrics, startedAt, endedAt: Date.now() };
  }

  it('GIVEN the synthesized app THEN each function asset holds its bundle and the sql/ the tests checked', () => {
    for (const asset of [warehouse.loader.asset, warehouse.sqlRunner.asset]) {
      expect(existsSync(join(asset, 'index.js'))).toBe(true);
      expect(readFileSync(join(asset, 'sql', 'manifest.json'), 'utf8')).toBe(
        readFileSync(join('sql', 'manifest.json'), 'utf8'),
      );
    }
  });

  it('GIVEN the arrived lake WHEN the bundled loader, then the bundled SQL runner for pending work, every model wave by wave and every test run as one execution would THEN gold holds what the events give, and the pending-work step published how far gold lagged the load', async () => {
    // Act
    const load = await invoke(
      'loader',
      { runId: 'execution-1' },
      { LAKE_BUCKET: bucket, LAKE_S3_ENDPOINT: inject('s3Endpoint') },
    );
    const work = await pendingWorkStep('execution-1');
    const manifest = loadTransformationManifest(join(warehouse.sqlRunner.asset, 'sql'));
    const models: Invocation[] = [];
    for (const wave of planWaves(manifest))
      models.push(
        ...(await Promise.all(
          wave.map((model) =>
            invoke('sqlRunner', {
              kind: 'model',
              model: model.name,
              fullRefresh: false,
              batchId: 'execution-1',
            }),
          ),
        )),
      );
    const tests = await Promise.all(
      manifest.tests.map((test) =>
        invoke('sqlRunner', { kind: 'test', test: test.name, batchId: 'execution-1', fullChecks: false }),
      ),
    );

    // Assess
    const { events } = validGeneratedEvents(EVENTS);
    expect(load.result).toMatchObject({
      rowsInserted: events.length,
      skipped: [],
      loadIds: ['execution-1/1'],
    });
    expect(models.map((model) => model.error)).toEqual(models.map(() => undefined));
    expect(tests.map((test) => test.result)).toEqual(
      manifest.tests.map((test) => ({ kind: 'test', test: test.name, failingRows: 0 })),
    );
    // The session's timeouts came from the template: its timeout, less 60 s.
    expect(snowflake.sessionSettings).toContain(
      `ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${warehouse.loader.environment.SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS}, LOCK_TIMEOUT = ${warehouse.loader.environment.SNOWFLAKE_LOCK_TIMEOUT_SECONDS}`,
    );
    const reader = await snowflake.reader();
    try {
      // The work was the load just made, sent over Snowflake's protocol and read back as UTC.
      const [loaded] = await reader.query<{ loaded_at: Date }>(
        "SELECT loaded_at FROM bronze.loads WHERE load_id = 'execution-1/1'",
      );
      const loadedAtMs = loaded!.loaded_at.getTime();
      expect(work.result).toEqual(oneLoadPending(new Date(loadedAtMs).toISOString()));
      // Its age when the step published it, which was while the step ran: how far gold lagged.
      expect(work.metrics).toEqual([
        sqlRunnerMetricDocument('GoldLagSeconds', 'Seconds', expect.any(Number)),
      ]);
      const lag = work.metrics[0]!.GoldLagSeconds as number;
      expect(lag).toBeGreaterThanOrEqual((work.startedAt - loadedAtMs) / 1000);
      expect(lag).toBeLessThanOrEqual((work.endedAt - loadedAtMs) / 1000);
      expect(comparable(await readGoldReport(reader))).toEqual(comparable(expectedGold(events)));
    } finally {
      await reader.close();
    }
  });

  it('GIVEN a model the batch ran WHEN the bundled SQL runner is invoked for it again (a retry) THEN it runs nothing, and a new check finds nothing pending and publishes a lag of 0', async () => {
    const again = await invoke('sqlRunner', {
      kind: 'model',
      model: 'silver.listening_events',
      fullRefresh: false,
      batchId: 'execution-1',
    });
    const work = await pendingWorkStep('execution-2');

    expect(again.result).toEqual({
      kind: 'model',
      model: 'silver.listening_events',
      statements: 0,
      alreadyDone: true,
    });
    expect(work.result).toEqual(NOTHING_PENDING);
    expect(work.metrics).toEqual([expect.objectContaining({ service: 'sql-runner', GoldLagSeconds: 0 })]);
  });

  it('GIVEN silver holding an event twice WHEN the bundled SQL runner runs the unique test over all of history THEN it fails with DataQualityError, naming the test and the event', async () => {
    const reader = await snowflake.reader();
    let duplicated: string;
    try {
      const [row] = await reader.query<{ event_id: string }>(
        'SELECT event_id FROM silver.listening_events ORDER BY event_id LIMIT 1',
      );
      duplicated = row!.event_id;
      await reader.execute(
        'INSERT INTO silver.listening_events SELECT * FROM silver.listening_events WHERE event_id = ?',
        [duplicated],
      );
    } finally {
      await reader.close();
    }

    const outcome = await invoke('sqlRunner', {
      kind: 'test',
      test: 'silver_listening_events_unique_event_id',
      batchId: 'execution-2',
      fullChecks: true,
    });

    expect(outcome.error?.name).toBe('DataQualityError');
    expect(outcome.error?.message).toMatch(
      /silver_listening_events_unique_event_id: 1 failing row\(s\); sql\/tests\/full_history\/silver_listening_events_unique_event_id\.sql lists them/,
    );
    // The message is the failed run's cause, which the alarm topic publishes: no row in it.
    expect(outcome.error?.message).not.toContain(duplicated);
  });
});
