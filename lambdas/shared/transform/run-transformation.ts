import type { Warehouse } from '../warehouse/warehouse.js';
import { readSqlStatement } from './sql-files.js';
import {
  type DataQualityTestDefinition,
  DEFAULT_SQL_DIR,
  loadTransformationManifest,
  type ModelDefinition,
  planWaves,
  type TransformationManifest,
} from './transformation-manifest.js';

export interface TransformationOptions {
  /**
   * The folder holding `manifest.json` and the SQL files.
   * @default - this repository's `sql/`
   */
  readonly sqlDir?: string;
  /**
   * The manifest to run.
   * @default - `<sqlDir>/manifest.json`, loaded and validated
   */
  readonly manifest?: TransformationManifest;
  /**
   * Rebuild silver and every gold model from all of bronze: runs each model's `fullRefreshFiles`
   * (drops) before its files.
   * @default false - incremental: only the bronze rows loaded since the last run, and the UTC days they touch
   */
  readonly fullRefresh?: boolean;
  /**
   * Run the data-quality tests after the models.
   * @default true
   */
  readonly runTests?: boolean;
  /** Told about each model and test as it finishes. */
  readonly onProgress?: (event: TransformationProgress) => void;
}

export type TransformationProgress =
  | { readonly kind: 'model'; readonly wave: number; readonly model: string; readonly statements: number }
  | { readonly kind: 'test'; readonly test: string; readonly failingRows: number };

export interface TransformationResult {
  /** Model names per wave, in the order they ran. */
  readonly waves: readonly (readonly string[])[];
  readonly statementsRun: number;
  readonly tests: readonly DataQualityTestResult[];
}

export interface DataQualityTestResult {
  readonly name: string;
  readonly failingRows: number;
  /** Up to SAMPLE_ROWS of the failing rows. */
  readonly sample: readonly Record<string, unknown>[];
}

/** Failing rows shown per failed test. */
export const SAMPLE_ROWS = 5;

/** One or more data-quality tests returned rows. The models' changes stay: the error stops the pipeline for a person to look. */
export class DataQualityError extends Error {
  constructor(readonly failures: readonly DataQualityTestResult[]) {
    super(describeFailures(failures));
    this.name = 'DataQualityError';
  }
}

/**
 * Runs the manifest's models in dependency order, wave by wave, then its data-quality tests.
 *
 * Each model's statements run in one transaction, so a reader never sees a day-grained model with
 * its affected days deleted but not yet rebuilt. (Snowflake commits DDL on its own, so a
 * `CREATE OR REPLACE TABLE ... AS` is atomic by itself rather than by the transaction.)
 * Models of one wave are independent; this runner still runs them one after another, because the
 * embedded DuckDB warehouse is one connection. The Step Functions definition runs a wave in parallel.
 *
 * Throws DataQualityError, naming every failing test with up to five of its rows, when a test fails.
 */
export async function runTransformation(
  warehouse: Warehouse,
  options: TransformationOptions = {},
): Promise<TransformationResult> {
  const sqlDir = options.sqlDir ?? DEFAULT_SQL_DIR;
  const manifest = options.manifest ?? loadTransformationManifest(sqlDir);
  const waves = planWaves(manifest);
  let statementsRun = 0;

  for (const [waveIndex, wave] of waves.entries()) {
    for (const model of wave) {
      const statements = await runModel(warehouse, sqlDir, model, options.fullRefresh ?? false);
      statementsRun += statements;
      options.onProgress?.({ kind: 'model', wave: waveIndex + 1, model: model.name, statements });
    }
  }

  const tests: DataQualityTestResult[] = [];
  if (options.runTests ?? true) {
    for (const test of manifest.tests) {
      const result = await runDataQualityTest(warehouse, sqlDir, test);
      tests.push(result);
      options.onProgress?.({ kind: 'test', test: test.name, failingRows: result.failingRows });
    }
  }
  const failures = tests.filter((test) => test.failingRows > 0);
  if (failures.length > 0) throw new DataQualityError(failures);

  return { waves: waves.map((wave) => wave.map((model) => model.name)), statementsRun, tests };
}

/**
 * Runs one model's statements in one transaction (on a full refresh, its `fullRefreshFiles` first)
 * and returns how many ran. The local runner calls it for every model; on AWS, the state machine
 * invokes the SQL-runner function once per model, which calls it too.
 */
export async function runModel(
  warehouse: Warehouse,
  sqlDir: string,
  model: ModelDefinition,
  fullRefresh: boolean,
): Promise<number> {
  const files = fullRefresh ? [...model.fullRefreshFiles, ...model.files] : model.files;
  await warehouse.inTransaction(async () => {
    for (const file of files) await executeFile(warehouse, sqlDir, model, file);
  });
  return files.length;
}

async function executeFile(warehouse: Warehouse, sqlDir: string, model: ModelDefinition, file: string) {
  try {
    await warehouse.execute(readSqlStatement(sqlDir, file));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`model "${model.name}": sql/${file} failed: ${detail}`, { cause: error });
  }
}

/** Runs one test query, counting its rows and keeping a sample; the query is wrapped, never changed. */
export async function runDataQualityTest(
  warehouse: Warehouse,
  sqlDir: string,
  test: DataQualityTestDefinition,
): Promise<DataQualityTestResult> {
  const query = readSqlStatement(sqlDir, test.file);
  try {
    const [counted] = await warehouse.query<{ failing_rows: number | bigint }>(
      `SELECT COUNT(*) AS failing_rows FROM (${query}\n) AS failing`,
    );
    const failingRows = Number(counted?.failing_rows ?? 0);
    const sample =
      failingRows > 0
        ? await warehouse.query(`SELECT * FROM (${query}\n) AS failing LIMIT ${SAMPLE_ROWS}`)
        : [];
    return { name: test.name, failingRows, sample };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`data-quality test "${test.name}" (sql/${test.file}) could not run: ${detail}`, {
      cause: error,
    });
  }
}

function describeFailures(failures: readonly DataQualityTestResult[]): string {
  const lines = [`${failures.length} data-quality test(s) failed:`];
  for (const failure of failures) {
    lines.push(
      `- ${failure.name}: ${failure.failingRows} failing row(s); the first ${failure.sample.length}:`,
      ...failure.sample.map((row) => `    ${JSON.stringify(row, jsonSafe)}`),
    );
  }
  return lines.join('\n');
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
