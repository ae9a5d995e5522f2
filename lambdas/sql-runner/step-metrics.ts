import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GOLD_LAG_METRIC, UNEXPLAINED_RECORDS_METRIC } from '../shared/runtime/pipeline-metrics.js';
import type { PendingWork } from '../shared/transform/run-transformation.js';
import type { TransformationStepResult } from '../shared/transform/run-transformation-step.js';

/**
 * Publishes what a step's result has for CloudWatch, in the embedded metric format: the audit's
 * unexplained records, and at the pending-work step how far gold lags bronze (its age at `nowMs`,
 * epoch milliseconds), each zero included, so that an alarm sees every run and not only the bad
 * ones. The other steps publish nothing; Lambda's and Step Functions' own metrics cover them.
 */
export function publishStepMetrics(
  metrics: Metrics,
  result: TransformationStepResult,
  nowMs: number = Date.now(),
): void {
  if (result.kind === 'audit')
    metrics.addMetric(UNEXPLAINED_RECORDS_METRIC, MetricUnit.Count, result.unexplained);
  else if (result.kind === 'pending-work')
    metrics.addMetric(GOLD_LAG_METRIC, MetricUnit.Seconds, goldLagSeconds(result, nowMs));
  else return;
  metrics.publishStoredMetrics();
}

/**
 * The age at `nowMs` of the oldest load gold does not reflect, in seconds; 0 when there is none.
 * A load stamped by a clock a little ahead of this one is no lag either, not a negative one.
 */
export function goldLagSeconds(work: Pick<PendingWork, 'oldestPendingLoadAt'>, nowMs: number): number {
  if (work.oldestPendingLoadAt === null) return 0;
  return Math.max(0, (nowMs - Date.parse(work.oldestPendingLoadAt)) / 1000);
}
