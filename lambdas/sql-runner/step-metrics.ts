import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { UNEXPLAINED_RECORDS_METRIC } from '../shared/runtime/pipeline-metrics.js';
import type { TransformationStepResult } from '../shared/transform/run-transformation-step.js';

/**
 * Publishes what a step's result has for CloudWatch, in the embedded metric format: the audit's
 * unexplained records, zero included, so that the alarm sees every audit and not only the bad
 * ones. The other steps publish nothing; Lambda's and Step Functions' own metrics cover them.
 */
export function publishStepMetrics(metrics: Metrics, result: TransformationStepResult): void {
  if (result.kind !== 'audit') return;
  metrics.addMetric(UNEXPLAINED_RECORDS_METRIC, MetricUnit.Count, result.unexplained);
  metrics.publishStoredMetrics();
}
