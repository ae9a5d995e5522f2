import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import {
  PIPELINE_METRICS_NAMESPACE,
  SQL_RUNNER_SERVICE,
} from '../../../lambdas/shared/runtime/pipeline-metrics.js';
import type { TransformationStepResult } from '../../../lambdas/shared/transform/run-transformation-step.js';
import { publishStepMetrics } from '../../../lambdas/sql-runner/step-metrics.js';
import { emfPrintedBy, sqlRunnerMetricDocument } from '../../support/embedded-metrics.js';

const metrics = () => new Metrics({ namespace: PIPELINE_METRICS_NAMESPACE, serviceName: SQL_RUNNER_SERVICE });

const NOW_MS = Date.parse('2026-01-08T01:35:30.250Z');

/** A pending-work result whose oldest load gold does not reflect was loaded at `oldestPendingLoadAt`. */
function pendingWork(oldestPendingLoadAt: string | null): TransformationStepResult {
  return {
    kind: 'pending-work',
    hasWork: oldestPendingLoadAt !== null,
    unclaimedLoads: oldestPendingLoadAt === null ? 0 : 1,
    pendingDays: 0,
    unfoldedBatches: 0,
    oldestPendingLoadAt,
  };
}

describe('publishStepMetrics: what a step of the SQL runner publishes to CloudWatch', () => {
  it('GIVEN pending work whose oldest load was loaded 1 h 30 min 30.25 s ago WHEN its metrics are published THEN GoldLagSeconds is that age in seconds, in the namespace, by service', () => {
    // Act
    const emf = emfPrintedBy(() =>
      publishStepMetrics(metrics(), pendingWork('2026-01-08T00:05:00.000Z'), NOW_MS),
    );

    // Assess
    expect(emf).toEqual([sqlRunnerMetricDocument('GoldLagSeconds', 'Seconds', 5_430.25)]);
  });

  it('GIVEN no load gold does not reflect WHEN the pending work’s metrics are published THEN GoldLagSeconds is 0, published all the same', () => {
    const emf = emfPrintedBy(() => publishStepMetrics(metrics(), pendingWork(null), NOW_MS));

    expect(emf).toEqual([expect.objectContaining({ service: 'sql-runner', GoldLagSeconds: 0 })]);
  });

  it('GIVEN a load stamped by a clock ahead of the SQL runner’s WHEN the pending work’s metrics are published THEN GoldLagSeconds is 0, not negative', () => {
    const emf = emfPrintedBy(() =>
      publishStepMetrics(metrics(), pendingWork('2026-01-08T01:35:31.000Z'), NOW_MS),
    );

    expect(emf).toEqual([expect.objectContaining({ GoldLagSeconds: 0 })]);
  });

  it('GIVEN no time WHEN pending work’s metrics are published THEN the lag is measured from the clock now', () => {
    const loadedAt = new Date(Date.now() - 60_000).toISOString();

    const [document] = emfPrintedBy(() => publishStepMetrics(metrics(), pendingWork(loadedAt)));

    expect(document?.GoldLagSeconds).toBeGreaterThanOrEqual(60);
    expect(document?.GoldLagSeconds).toBeLessThan(120);
  });

  it.each<TransformationStepResult>([
    { kind: 'model', model: 'gold.top_songs', statements: 1, alreadyDone: false },
    { kind: 'test', test: 'gold_skip_rate_consistent', failingRows: 0 },
    { kind: 'new-anomalies', count: 0, message: '' },
  ])('GIVEN a $kind step’s result WHEN its metrics are published THEN nothing is printed', (result) => {
    expect(emfPrintedBy(() => publishStepMetrics(metrics(), result, NOW_MS))).toEqual([]);
  });
});
