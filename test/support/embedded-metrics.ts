import { expect, vi } from 'vitest';
import {
  PIPELINE_METRICS_NAMESPACE,
  SQL_RUNNER_SERVICE,
} from '../../lambdas/shared/runtime/pipeline-metrics.js';

/**
 * The embedded-metric-format documents in what a function printed: Powertools Metrics writes each
 * as one JSON line to stdout, among the logger's lines, and only those carry `_aws`.
 */
export function emfDocumentsIn(printed: string): Record<string, unknown>[] {
  return printed
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((document) => '_aws' in document);
}

/** The embedded-metric-format documents Powertools printed to stdout while `act` ran. */
export function emfPrintedBy(act: () => void): Record<string, unknown>[] {
  const printed: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    stdout.mockRestore();
  }
  return emfDocumentsIn(printed.join('\n'));
}

/**
 * The document the SQL runner prints for one metric, as CloudWatch reads it: the pipeline's
 * namespace, its `service` dimension, the metric's unit, and `value` (a number, or a matcher).
 */
export function sqlRunnerMetricDocument(name: string, unit: string, value: unknown): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: PIPELINE_METRICS_NAMESPACE,
          Dimensions: [['service']],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    service: SQL_RUNNER_SERVICE,
    [name]: value,
  };
}
