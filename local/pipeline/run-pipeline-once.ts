import type { S3Client } from '@aws-sdk/client-s3';
import type { LoadSummary } from '../../lambdas/loader/load-lake.js';
import {
  type PendingWork,
  pendingWork,
  runTransformation,
  type TransformationProgress,
  type TransformationResult,
} from '../../lambdas/shared/transform/run-transformation.js';
import { DEFAULT_SQL_DIR } from '../../lambdas/shared/warehouse/sql-files.js';
import { loadLakeIntoDuckDb } from '../loader/load-lake-into-duckdb.js';
import type { DuckDbWarehouse } from '../warehouse/duckdb-warehouse.js';

export interface PipelineRunOptions {
  readonly warehouse: DuckDbWarehouse;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Names the run's loads and its transformation batch (the execution's name on AWS). */
  readonly runId: string;
  readonly fullRefresh?: boolean;
  /** Run the data-quality tests over all of history, and run them even when nothing is new. */
  readonly fullChecks?: boolean;
  readonly onProgress?: (event: TransformationProgress) => void;
}

export interface PipelineRun {
  readonly load: LoadSummary;
  readonly work: PendingWork;
  /** Absent when there was nothing to transform. */
  readonly transformation?: TransformationResult;
}

/**
 * One run of the pipeline's plan, as the deployed state machine runs it: load what arrived, ask
 * whether anything is left to transform, and if so run the manifest's models and tests as one
 * batch named by the run. (The lease the state machine takes first is, here, DuckDB's own: a
 * warehouse file has one writer at a time.)
 */
export async function runPipelineOnce(options: PipelineRunOptions): Promise<PipelineRun> {
  const { warehouse, runId } = options;
  const load = await loadLakeIntoDuckDb({
    warehouse,
    s3: options.s3,
    bucket: options.bucket,
    source: { kind: 'arrivals' },
    runId,
    nowMs: Date.now(),
  });
  const work = await pendingWork(warehouse, DEFAULT_SQL_DIR);
  if (!work.hasWork && options.fullRefresh !== true && options.fullChecks !== true) return { load, work };
  const transformation = await runTransformation(warehouse, {
    batchId: runId,
    fullRefresh: options.fullRefresh ?? false,
    fullChecks: options.fullChecks ?? false,
    onProgress: options.onProgress,
  });
  return { load, work, transformation };
}
