import { DEFAULT_SQL_DIR } from '../warehouse/sql-files.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { auditLayersStep, type LayerAuditStep } from './layer-audit-step.js';
import { type NewAnomalies, newSkipRateAnomalies } from './new-anomalies.js';
import {
  DataQualityError,
  type PendingWork,
  pendingWork,
  runDataQualityTest,
  runModel,
} from './run-transformation.js';
import { loadTransformationManifest, type TransformationManifest } from './transformation-manifest.js';

/**
 * One task of the transformation state machine: a model (its statements in one transaction), a
 * data-quality test, or one of the questions the run asks the warehouse (pending work, the new
 * anomalies, the audit of its layers). The state machine is built from the manifest and sends these; the SQL-runner
 * function runs them with {@link runTransformationStep}.
 */
export type TransformationStep =
  | {
      readonly kind: 'model';
      readonly model: string;
      readonly fullRefresh: boolean;
      readonly batchId: string;
    }
  | { readonly kind: 'test'; readonly test: string; readonly batchId: string; readonly fullChecks: boolean }
  | { readonly kind: 'pending-work'; readonly batchId?: string }
  | { readonly kind: 'new-anomalies'; readonly batchId: string; readonly fullRefresh: boolean }
  | { readonly kind: 'audit' };

export type TransformationStepResult =
  | {
      readonly kind: 'model';
      readonly model: string;
      readonly statements: number;
      readonly alreadyDone: boolean;
    }
  | { readonly kind: 'test'; readonly test: string; readonly failingRows: number }
  | ({ readonly kind: 'pending-work' } & PendingWork)
  | ({ readonly kind: 'new-anomalies' } & NewAnomalies)
  | ({ readonly kind: 'audit' } & LayerAuditStep);

/**
 * The step's input is not one the manifest knows: a state machine out of date with the deployed
 * SQL, or a hand-started execution with a typo. Retrying cannot help, so the state machine does not.
 */
export class TransformationStepError extends Error {
  override readonly name = 'TransformationStepError';
}

export interface TransformationStepOptions {
  /** @default - this repository's `sql/` (SQL_DIR in a function bundle) */
  readonly sqlDir?: string;
  /** @default - `<sqlDir>/manifest.json` */
  readonly manifest?: TransformationManifest;
}

/**
 * Runs one step. A data-quality test that finds rows throws {@link DataQualityError} naming the
 * test, its count of rows and the query that lists them (never the rows: user ids would reach the
 * alarm topic), so the state machine's execution fails with that as its cause.
 * An audit that finds unexplained records does not throw: they are a number the alarm watches,
 * not a reason to stop a run whose work has committed.
 */
export async function runTransformationStep(
  warehouse: Warehouse,
  step: TransformationStep,
  options: TransformationStepOptions = {},
): Promise<TransformationStepResult> {
  const sqlDir = options.sqlDir ?? DEFAULT_SQL_DIR;
  const manifest = options.manifest ?? loadTransformationManifest(sqlDir);
  if (step.kind === 'pending-work')
    return { kind: 'pending-work', ...(await pendingWork(warehouse, sqlDir)) };
  if (step.kind === 'new-anomalies')
    return { kind: 'new-anomalies', ...(await newSkipRateAnomalies(warehouse, sqlDir, step)) };
  if (step.kind === 'audit') return { kind: 'audit', ...(await auditLayersStep(warehouse, sqlDir)) };
  if (step.kind === 'model') {
    const model = manifest.models.find((candidate) => candidate.name === step.model);
    if (model === undefined) {
      throw new TransformationStepError(
        `no model "${step.model}" in sql/manifest.json: use one of ${manifest.models.map((known) => known.name).join(', ')} (redeploy if the state machine is older than the SQL)`,
      );
    }
    const outcome = await runModel(warehouse, sqlDir, model, step);
    return { kind: 'model', model: model.name, ...outcome };
  }
  const test = manifest.tests.find((candidate) => candidate.name === step.test);
  if (test === undefined) {
    throw new TransformationStepError(
      `no data-quality test "${step.test}" in sql/manifest.json: use one of ${manifest.tests.map((known) => known.name).join(', ')}`,
    );
  }
  const result = await runDataQualityTest(warehouse, sqlDir, test, {
    batchId: step.batchId,
    fullHistory: step.fullChecks,
  });
  if (result.failingRows > 0) throw new DataQualityError([result]);
  return { kind: 'test', test: test.name, failingRows: 0 };
}

/**
 * Checks an invocation's payload, which comes from the state machine or from a person starting
 * one by hand, and says what is wrong with it.
 */
export function parseTransformationStep(payload: unknown): TransformationStep {
  const record = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  if (record.kind === 'model' && typeof record.model === 'string') {
    if (record.fullRefresh !== undefined && typeof record.fullRefresh !== 'boolean') {
      throw new TransformationStepError(
        `the step's fullRefresh is ${JSON.stringify(record.fullRefresh)}: use true or false`,
      );
    }
    if (typeof record.batchId !== 'string' || record.batchId === '') {
      throw new TransformationStepError(
        `the model step ${JSON.stringify(payload)} has no batchId: the state machine sends its execution's name, which makes a retried step change nothing`,
      );
    }
    return {
      kind: 'model',
      model: record.model,
      fullRefresh: record.fullRefresh === true,
      batchId: record.batchId,
    };
  }
  if (record.kind === 'test' && typeof record.test === 'string') {
    if (record.fullChecks !== undefined && typeof record.fullChecks !== 'boolean') {
      throw new TransformationStepError(
        `the step's fullChecks is ${JSON.stringify(record.fullChecks)}: use true or false`,
      );
    }
    if (typeof record.batchId !== 'string' || record.batchId === '') {
      throw new TransformationStepError(
        `the test step ${JSON.stringify(payload)} has no batchId: a test checks what that batch added`,
      );
    }
    return {
      kind: 'test',
      test: record.test,
      batchId: record.batchId,
      fullChecks: record.fullChecks === true,
    };
  }
  if (record.kind === 'pending-work') return { kind: 'pending-work' };
  if (record.kind === 'new-anomalies') {
    if (
      typeof record.batchId !== 'string' ||
      record.batchId === '' ||
      typeof record.fullRefresh !== 'boolean'
    ) {
      throw new TransformationStepError(
        `the new-anomalies step ${JSON.stringify(payload)} needs the run's batchId and its fullRefresh (true or false)`,
      );
    }
    return { kind: 'new-anomalies', batchId: record.batchId, fullRefresh: record.fullRefresh };
  }
  // The state machine sends its batchId too, for the logs; the audit reads the whole warehouse.
  if (record.kind === 'audit') return { kind: 'audit' };
  throw new TransformationStepError(
    `the step ${JSON.stringify(payload)} is none of {"kind":"model","model":NAME,"fullRefresh":BOOLEAN,"batchId":ID}, {"kind":"test","test":NAME,"batchId":ID,"fullChecks":BOOLEAN}, {"kind":"pending-work"}, {"kind":"new-anomalies","batchId":ID,"fullRefresh":BOOLEAN} and {"kind":"audit"}`,
  );
}
