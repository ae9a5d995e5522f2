import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PIPELINE_METRICS_NAMESPACE,
  SQL_RUNNER_SERVICE,
} from '../../../../lambdas/shared/runtime/pipeline-metrics.js';
import { runTransformation } from '../../../../lambdas/shared/transform/run-transformation.js';
import {
  parseTransformationStep,
  runTransformationStep,
  type TransformationStepResult,
} from '../../../../lambdas/shared/transform/run-transformation-step.js';
import { DEFAULT_SQL_DIR } from '../../../../lambdas/shared/warehouse/sql-files.js';
import { publishStepMetrics } from '../../../../lambdas/sql-runner/step-metrics.js';
import { emfPrintedBy, sqlRunnerMetricDocument } from '../../../support/embedded-metrics.js';
import {
  type BronzeRow,
  bronzeRowOf,
  bronzeRowsOf,
  insertBronzeRows,
  LOADED_AFTER_FIRST_WEEK,
  openTestWarehouse,
  type TestWarehouse,
  validGeneratedEvents,
} from './bronze-fixture.js';

const DAYS = { seed: 47, count: 1_200, users: 20, songs: 6, faultRate: 0, eventsPerSecond: 0.003 };

/**
 * Bronze rows inserted as one load, with the ledger entries the loader writes in the same
 * transaction (one per file, every line inserted): what the audit checks bronze against.
 */
async function loadWithLedger(local: TestWarehouse, rows: readonly BronzeRow[]): Promise<void> {
  const loadId = await insertBronzeRows(local.warehouse, rows);
  const rowsByFile = new Map<string, number>();
  for (const row of rows) rowsByFile.set(row.source_file, (rowsByFile.get(row.source_file) ?? 0) + 1);
  for (const [file, count] of rowsByFile) {
    await local.warehouse.execute(
      'INSERT INTO bronze.load_ledger VALUES (?, ?, ?, ?, CAST(? AS TIMESTAMP), ?)',
      [file, 'lake', count, count, LOADED_AFTER_FIRST_WEEK, loadId],
    );
  }
}

describe('the audit step: the layer audit as a state-machine task', () => {
  let local: TestWarehouse;
  beforeEach(async () => {
    local = await openTestWarehouse();
    await local.warehouse.execute(
      readFileSync(join(DEFAULT_SQL_DIR, 'bronze/create_load_rejects.sql'), 'utf8'),
    );
  });
  afterEach(async () => {
    await local.dispose();
  });

  const metrics = () =>
    new Metrics({ namespace: PIPELINE_METRICS_NAMESPACE, serviceName: SQL_RUNNER_SERVICE });

  it('GIVEN a warehouse whose every record traces from the ledger to gold WHEN the audit step runs THEN it finds nothing, counts each layer, and publishes Unexplained 0', async () => {
    // Prepare: one load of valid events and one row the contract refuses (a silver reject).
    const { events } = validGeneratedEvents(DAYS);
    const refused = {
      ...bronzeRowOf(events[0]!, 'lake/late.ndjson.gz', LOADED_AFTER_FIRST_WEEK),
      event_id: 'refused-1',
      event_type: 'dance',
    };
    await loadWithLedger(local, [...bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'), refused]);
    await runTransformation(local.warehouse, { batchId: 'execution-1' });

    // Act
    const result = await runTransformationStep(local.warehouse, { kind: 'audit' });
    const emf = emfPrintedBy(() => publishStepMetrics(metrics(), result));

    // Assess
    expect(result).toMatchObject({
      kind: 'audit',
      unexplained: 0,
      findings: [],
      findingsLeftOut: 0,
      notes: [],
    });
    expect(result.kind === 'audit' && result.layers).toMatchObject({
      lake_events_loaded: events.length + 1,
      bronze_rows_inserted: events.length + 1,
      duplicate_copies: 0,
      bronze_rows: events.length + 1,
      bronze_rows_pending: 0,
      silver_rows: events.length,
      silver_rejects: 1,
      silver_rejects_by_reason: { 'event_type is not one of play, pause, skip, add_to_playlist': 1 },
    });
    expect(emf).toEqual([sqlRunnerMetricDocument('Unexplained', 'Count', 0)]);
  });

  it('GIVEN a bronze row deleted behind the pipeline WHEN the audit step runs THEN it names the file and the event, never the user, counts them in Unexplained, publishes that, and does not throw', async () => {
    // Prepare
    const { events } = validGeneratedEvents(DAYS);
    await loadWithLedger(local, bronzeRowsOf(events, LOADED_AFTER_FIRST_WEEK, 'lake'));
    await runTransformation(local.warehouse, { batchId: 'execution-1' });
    const lost = events[7]!;
    await local.warehouse.execute('DELETE FROM bronze.listening_events WHERE event_id = ?', [lost.event_id]);

    // Act
    const result = await runTransformationStep(
      local.warehouse,
      parseTransformationStep({ kind: 'audit', batchId: 'execution-2' }),
    );
    const emf = emfPrintedBy(() => publishStepMetrics(metrics(), result));

    // Assess
    const audit = result as Extract<TransformationStepResult, { kind: 'audit' }>;
    expect(audit.unexplained).toBeGreaterThanOrEqual(1);
    const problems = audit.findings.map((finding) => finding.problem);
    expect(problems).toContainEqual(
      expect.stringMatching(/^lake\/part-0\.ndjson\.gz: bronze has 499 of the 500 rows/),
    );
    expect(problems).toContainEqual(
      expect.stringContaining(`event ${lost.event_id} from lake/part-0.ndjson.gz`),
    );
    expect(JSON.stringify(audit)).not.toContain(lost.user_id);
    expect(audit.unexplained).toBe(audit.findings.reduce((total, finding) => total + finding.records, 0));
    expect(emf).toEqual([expect.objectContaining({ Unexplained: audit.unexplained })]);
  });
});
