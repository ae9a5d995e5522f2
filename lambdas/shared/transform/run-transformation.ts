import { DEFAULT_SQL_DIR, readSqlStatement } from '../warehouse/sql-files.js';
import { utcIsoTimestamp } from '../warehouse/utc-timestamp.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { type NewAnomalies, newSkipRateAnomalies } from './new-anomalies.js';
import {
  type DataQualityTestDefinition,
  loadTransformationManifest,
  type ModelDefinition,
  planWaves,
  type TransformationManifest,
} from './transformation-manifest.js';

export interface TransformationOptions {
  /**
   * Names this run's batch: every model records itself under it in the transaction of its rows,
   * and a model already recorded for it is not run again, so repeating a run, or any step of it,
   * after a commit changes nothing. The state machine passes its execution's name.
   */
  readonly batchId: string;
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
  /**
   * Run each data-quality test over all of history (its `fullHistoryFile`) instead of over what
   * this batch added.
   * @default false
   */
  readonly fullChecks?: boolean;
  /** Told about each model and test as it finishes. */
  readonly onProgress?: (event: TransformationProgress) => void;
}

export type TransformationProgress =
  | {
      readonly kind: 'model';
      readonly wave: number;
      readonly model: string;
      readonly statements: number;
      /** The batch had already committed this model: nothing ran. */
      readonly alreadyDone: boolean;
    }
  | { readonly kind: 'test'; readonly test: string; readonly failingRows: number };

export interface TransformationResult {
  /** Model names per wave, in the order they ran. */
  readonly waves: readonly (readonly string[])[];
  readonly statementsRun: number;
  readonly tests: readonly DataQualityTestResult[];
  /** The skip-rate anomalies this run found first, announced as on AWS after the run. */
  readonly newAnomalies: NewAnomalies;
}

export interface DataQualityTestResult {
  readonly name: string;
  readonly failingRows: number;
  /** The query that lists the failing rows, relative to sql/ (its `?` are the batch id). */
  readonly query: string;
  /**
   * Up to SAMPLE_ROWS of the failing rows, for a person at a terminal. They can hold user ids:
   * never put them in the error's message, which becomes the failed run's cause and reaches the
   * alarm topic and the logs.
   */
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
 * Throws DataQualityError, naming every failing test and its count of rows (its `failures` hold up to
 * five of them), when a test fails.
 */
export async function runTransformation(
  warehouse: Warehouse,
  options: TransformationOptions,
): Promise<TransformationResult> {
  const sqlDir = options.sqlDir ?? DEFAULT_SQL_DIR;
  const manifest = options.manifest ?? loadTransformationManifest(sqlDir);
  const waves = planWaves(manifest);
  let statementsRun = 0;

  for (const [waveIndex, wave] of waves.entries()) {
    for (const model of wave) {
      const outcome = await runModel(warehouse, sqlDir, model, {
        fullRefresh: options.fullRefresh ?? false,
        batchId: options.batchId,
      });
      statementsRun += outcome.statements;
      options.onProgress?.({ kind: 'model', wave: waveIndex + 1, model: model.name, ...outcome });
    }
  }

  const tests: DataQualityTestResult[] = [];
  if (options.runTests ?? true) {
    for (const test of manifest.tests) {
      const result = await runDataQualityTest(warehouse, sqlDir, test, {
        batchId: options.batchId,
        fullHistory: options.fullChecks ?? false,
      });
      tests.push(result);
      options.onProgress?.({ kind: 'test', test: test.name, failingRows: result.failingRows });
    }
  }
  const failures = tests.filter((test) => test.failingRows > 0);
  if (failures.length > 0) throw new DataQualityError(failures);

  const newAnomalies = await newSkipRateAnomalies(warehouse, sqlDir, {
    batchId: options.batchId,
    fullRefresh: options.fullRefresh ?? false,
  });
  return { waves: waves.map((wave) => wave.map((model) => model.name)), statementsRun, tests, newAnomalies };
}

/** Where a model runs: the run's batch, and whether it rebuilds from all of bronze. */
export interface ModelRun {
  readonly batchId: string;
  readonly fullRefresh: boolean;
}

/** What running a model did: how many statements ran, none if the batch had done it already. */
export interface ModelOutcome {
  readonly statements: number;
  readonly alreadyDone: boolean;
}

/** What every model's bookkeeping needs before it runs: silver's schema and silver.batch_steps. */
const BATCH_BOOKKEEPING_DDL = ['silver/create_schema.sql', 'silver/create_batch_steps.sql'] as const;

const BATCH_ID = /^[A-Za-z0-9_.:-]{1,80}$/;

/**
 * Runs one model's statements in one transaction (on a full refresh, its `fullRefreshFiles`
 * first), every `?` in them bound to the batch id, and records the model for the batch in that
 * same transaction (silver.batch_steps). A model the batch already recorded does not run again:
 * a retried step changes nothing. The local runner calls it for every model; on AWS, the state
 * machine invokes the SQL-runner function once per model, which calls it too.
 *
 * On Snowflake a DDL statement commits by itself, so a setup model's tables exist before its
 * record does; running its DDL again is harmless (IF NOT EXISTS), and a full refresh's drops are
 * run again only if the step failed before recording itself, when nothing after it has run.
 */
export async function runModel(
  warehouse: Warehouse,
  sqlDir: string,
  model: ModelDefinition,
  run: ModelRun,
): Promise<ModelOutcome> {
  if (!BATCH_ID.test(run.batchId))
    throw new Error(`the batch id "${run.batchId}" must be 1 to 80 letters, digits or -_.:`);
  for (const file of BATCH_BOOKKEEPING_DDL) await warehouse.execute(readSqlStatement(sqlDir, file));
  if (!run.fullRefresh) await assertGoldStateCurrent(warehouse, sqlDir, model, run.batchId);
  const files = run.fullRefresh ? [...model.fullRefreshFiles, ...model.files] : model.files;
  return warehouse.inTransaction(async () => {
    const [recorded] = await warehouse.query<{ done: number | bigint | string }>(
      readSqlStatement(sqlDir, 'silver/batch_step_done.sql'),
      [run.batchId, model.name],
    );
    if (Number(recorded?.done ?? 0) > 0) return { statements: 0, alreadyDone: true };
    for (const file of files) await executeFile(warehouse, sqlDir, model, file, run.batchId);
    if (model.refresh === 'folds-batches')
      await warehouse.execute(readSqlStatement(sqlDir, 'silver/record_applied_batches.sql'), [
        model.name,
        model.name,
      ]);
    await warehouse.execute(readSqlStatement(sqlDir, 'silver/record_batch_step.sql'), [
      run.batchId,
      model.name,
      new Date().toISOString().replace('T', ' ').replace('Z', ''),
    ]);
    return { statements: files.length, alreadyDone: false };
  });
}

/** Runs one model file with the batch id bound to each of its `?` placeholders. */
async function executeFile(
  warehouse: Warehouse,
  sqlDir: string,
  model: ModelDefinition,
  file: string,
  batchId: string,
) {
  const statement = readSqlStatement(sqlDir, file);
  try {
    await warehouse.execute(
      statement,
      Array.from({ length: countPlaceholders(statement) }, () => batchId),
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`model "${model.name}": sql/${file} failed: ${detail}`, { cause: error });
  }
}

/** The `?` placeholders of a statement, outside string literals and comments. */
export function countPlaceholders(statement: string): number {
  // Comments first: they may hold an apostrophe; no string literal of the project's SQL holds `--`.
  const code = statement.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''");
  return (code.match(/\?/g) ?? []).length;
}

/** What is left to transform (sql/silver/pending_work.sql): the state machine's choice after the load. */
export interface PendingWork {
  readonly hasWork: boolean;
  readonly unclaimedLoads: number;
  readonly pendingDays: number;
  /** Batches whose new rows some gold model has not folded yet (a run that failed after silver). */
  readonly unfoldedBatches: number;
  /**
   * When the oldest bronze load gold does not reflect yet was loaded (`bronze.loads.loaded_at`),
   * ISO-8601 UTC: a load no batch has claimed, or one claimed by a batch some gold model has not
   * folded. Null when gold reflects every load. The SQL runner publishes its age as GoldLagSeconds.
   */
  readonly oldestPendingLoadAt: string | null;
}

/**
 * Whether a run has anything to transform: bronze loads no batch has claimed, or UTC days left
 * pending by a run that failed after silver; and the oldest load gold does not reflect. Nothing
 * before the loader has made bronze; always, every load pending, before the first run has made
 * silver.
 */
export async function pendingWork(warehouse: Warehouse, sqlDir: string): Promise<PendingWork> {
  const [tables] = await warehouse.query<{ bronze_tables: number | bigint; silver_tables: number | bigint }>(
    readSqlStatement(sqlDir, 'silver/batch_tables_exist.sql'),
  );
  if (Number(tables?.bronze_tables ?? 0) === 0)
    return {
      hasWork: false,
      unclaimedLoads: 0,
      pendingDays: 0,
      unfoldedBatches: 0,
      oldestPendingLoadAt: null,
    };
  // Before the first run, which sets silver up and claims whatever bronze holds (or before the
  // first run of this version, whose models then say what to do).
  if (Number(tables?.silver_tables ?? 0) < 3) {
    const [loads] = await warehouse.query<{
      loads: number | bigint | string;
      oldest_pending_load_at: unknown;
    }>(readSqlStatement(sqlDir, 'silver/loads_before_first_run.sql'));
    return {
      hasWork: true,
      unclaimedLoads: Number(loads?.loads ?? 0),
      pendingDays: 0,
      unfoldedBatches: 0,
      oldestPendingLoadAt: utcIsoTimestamp(
        loads?.oldest_pending_load_at,
        'sql/silver/loads_before_first_run.sql, oldest_pending_load_at',
      ),
    };
  }
  const [row] = await warehouse.query<{
    unclaimed_loads: number | bigint | string;
    pending_days: number | bigint | string;
    unfolded_batches: number | bigint | string;
    oldest_pending_load_at: unknown;
  }>(readSqlStatement(sqlDir, 'silver/pending_work.sql'));
  const unclaimedLoads = Number(row?.unclaimed_loads ?? 0);
  const pendingDays = Number(row?.pending_days ?? 0);
  const unfoldedBatches = Number(row?.unfolded_batches ?? 0);
  return {
    hasWork: unclaimedLoads > 0 || pendingDays > 0 || unfoldedBatches > 0,
    unclaimedLoads,
    pendingDays,
    unfoldedBatches,
    oldestPendingLoadAt: utcIsoTimestamp(
      row?.oldest_pending_load_at,
      'sql/silver/pending_work.sql, oldest_pending_load_at',
    ),
  };
}

/**
 * Silver holds rows, but gold or the state it is maintained from was not built from them: an
 * incremental run would fold new rows into tables that do not hold the old ones. Either gold was
 * built by a version that rebuilt it every run, or a setup model is about to create a table this
 * version adds. `reason` says which; the message says to run one full refresh, which builds both.
 */
export class GoldStateMissingError extends Error {
  override readonly name = 'GoldStateMissingError';
  constructor(readonly reason: string) {
    super(
      `this warehouse: ${reason}. Run one full refresh: \`spotify-pipeline transform --full-refresh\` locally, or start the pipeline-run state machine with {"fullRefresh": true} on AWS`,
    );
  }
}

/**
 * Throws {@link GoldStateMissingError} when silver holds rows that the incremental state was not
 * built from: no silver.gold_state row, or (for a setup model) a table the model creates that does
 * not exist yet while an earlier batch has put rows in silver. Nothing has been changed when it throws.
 */
export async function assertGoldStateCurrent(
  warehouse: Warehouse,
  sqlDir: string,
  model: ModelDefinition,
  batchId: string,
): Promise<void> {
  const [tables] = await warehouse.query<{ silver_events: number | bigint; gold_state: number | bigint }>(
    readSqlStatement(sqlDir, 'silver/gold_state_tables.sql'),
  );
  if (Number(tables?.silver_events ?? 0) === 0) return; // before the first run
  const [state] =
    Number(tables?.gold_state ?? 0) === 0
      ? [{ state_rows: 0, silver_rows: 1 }]
      : await warehouse.query<{ state_rows: number | bigint; silver_rows: number | bigint }>(
          readSqlStatement(sqlDir, 'silver/gold_state_missing.sql'),
        );
  if (Number(state?.silver_rows ?? 0) === 0) return; // nothing yet to build from
  if (Number(state?.state_rows ?? 0) === 0)
    throw new GoldStateMissingError(
      'its gold was built by an earlier version, which rebuilt gold every run and kept none of the state gold is now maintained from',
    );
  if (model.refresh !== 'setup') return;
  const [claims] = await warehouse.query<{ earlier_claims: number | bigint }>(
    readSqlStatement(sqlDir, 'silver/claimed_by_earlier_batches.sql'),
    [batchId],
  );
  if (Number(claims?.earlier_claims ?? 0) === 0) return;
  const existing = new Set(
    (
      await warehouse.query<{ qualified_name: string }>(
        readSqlStatement(sqlDir, 'silver/existing_tables.sql'),
      )
    ).map((row) => row.qualified_name),
  );
  const added = model.files.flatMap((file) => tablesCreatedBy(readSqlStatement(sqlDir, file)));
  const missing = added.filter((table) => !existing.has(table));
  if (missing.length > 0)
    throw new GoldStateMissingError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} new in this version: ${missing.length === 1 ? 'it' : 'they'} must be built from all of silver, which already holds rows`,
    );
}

/** The tables a statement creates (`CREATE TABLE IF NOT EXISTS schema.table`), in lower case. */
function tablesCreatedBy(statement: string): string[] {
  return [...statement.matchAll(/CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+(\w+\.\w+)/gi)].map((match) =>
    match[1]!.toLowerCase(),
  );
}

/** Which rows a data-quality test checks. */
export interface DataQualityTestScope {
  /** The batch whose rows it checks: every `?` of the query. */
  readonly batchId: string;
  /** Check all of history instead (the test's `fullHistoryFile`, when it has one). */
  readonly fullHistory: boolean;
}

/**
 * Runs one test query, counting its rows and keeping a sample; the query is wrapped, never
 * changed, and every `?` in it is the batch id.
 */
export async function runDataQualityTest(
  warehouse: Warehouse,
  sqlDir: string,
  test: DataQualityTestDefinition,
  scope: DataQualityTestScope,
): Promise<DataQualityTestResult> {
  const file = scope.fullHistory ? (test.fullHistoryFile ?? test.file) : test.file;
  const query = readSqlStatement(sqlDir, file);
  const binds = Array.from({ length: countPlaceholders(query) }, () => scope.batchId);
  try {
    const [counted] = await warehouse.query<{ failing_rows: number | bigint }>(
      `SELECT COUNT(*) AS failing_rows FROM (${query}\n) AS failing`,
      binds,
    );
    const failingRows = Number(counted?.failing_rows ?? 0);
    const sample =
      failingRows > 0
        ? await warehouse.query(`SELECT * FROM (${query}\n) AS failing LIMIT ${SAMPLE_ROWS}`, binds)
        : [];
    return { name: test.name, failingRows, query: file, sample };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`data-quality test "${test.name}" (sql/${file}) could not run: ${detail}`, {
      cause: error,
    });
  }
}

/** Which tests failed, how many rows each, and the query that lists them: no row itself. */
function describeFailures(failures: readonly DataQualityTestResult[]): string {
  const lines = [`${failures.length} data-quality test(s) failed:`];
  for (const failure of failures)
    lines.push(
      `- ${failure.name}: ${failure.failingRows} failing row(s); sql/${failure.query} lists them (its ? are the batch id)`,
    );
  return lines.join('\n');
}

/** The failures with their sample rows, for the command line on the user's own machine. */
export function describeFailuresWithSamples(failures: readonly DataQualityTestResult[]): string {
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
