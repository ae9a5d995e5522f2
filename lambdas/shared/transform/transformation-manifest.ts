import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../warehouse/sql-files.js';

/**
 * The transformation plan as `sql/manifest.json` states it: models, the SQL files each runs (one
 * statement per file, in order), their dependencies, and the data-quality tests. The local runner
 * and the Step Functions definition are both built from it.
 */
export interface TransformationManifest {
  readonly version: 1;
  readonly models: readonly ModelDefinition[];
  readonly tests: readonly DataQualityTestDefinition[];
}

/**
 * How a model is kept up to date: `setup` creates schemas and tables; `incremental` changes only
 * what this run's new rows touch; `folds-batches` folds the new silver rows of every batch it has
 * not folded yet (silver.unfolded_batches), and the runner records them as folded
 * (silver.applied_batches) in the same transaction. Its SQL selects those rows with
 * {@link unfoldedBatchesFilter} of its own name, which the manifest checks.
 */
export type ModelRefresh = 'setup' | 'incremental' | 'folds-batches';
const MODEL_REFRESHES: readonly ModelRefresh[] = ['setup', 'incremental', 'folds-batches'];

/**
 * How a `folds-batches` model's SQL selects the silver rows (aliased `e`) it has not folded: those
 * of the loads claimed by the unfolded batches it has not folded, by its own name. By load id, so
 * that the scan reads the new rows' blocks, not all of silver.
 */
export function unfoldedBatchesFilter(model: string): string {
  return (
    'e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) ' +
    `AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = '${model}'))`
  );
}

export interface ModelDefinition {
  /** `layer.table`, e.g. `gold.daily_active_users`. */
  readonly name: string;
  readonly description: string;
  readonly refresh: ModelRefresh;
  /** Models that must have run first. */
  readonly dependsOn: readonly string[];
  /** SQL files (relative to `sql/`), one statement each, run in order in one transaction. */
  readonly files: readonly string[];
  /** Files run before `files`, only on a full refresh (they drop what `files` then recreates). */
  readonly fullRefreshFiles: readonly string[];
}

export interface DataQualityTestDefinition {
  readonly name: string;
  /**
   * A query (relative to `sql/`) that returns the failing rows: no rows is a pass. Every `?` in it
   * is the batch id: by default a test checks what the batch added.
   */
  readonly file: string;
  /** The same check over all of history, run instead of `file` when full checks are asked for. */
  readonly fullHistoryFile?: string;
  /** The models it checks; it runs after all of them. */
  readonly models: readonly string[];
}

/** The manifest is wrong: `message` says what, where, and what to do. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Reads and validates `<sqlDir>/manifest.json`, checking that every file it names exists. */
export function loadTransformationManifest(sqlDir: string = DEFAULT_SQL_DIR): TransformationManifest {
  const path = join(sqlDir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ManifestError(`${path}: cannot be read as JSON (${detail})`);
  }
  return parseTransformationManifest(raw, {
    source: path,
    fileExists: (file) => existsSync(join(sqlDir, file)),
    readFile: (file) => readSqlStatement(sqlDir, file),
  });
}

export interface ParseManifestOptions {
  /** Named in error messages. */
  readonly source: string;
  /** Whether a file named by the manifest (relative to `sql/`) exists. */
  readonly fileExists: (file: string) => boolean;
  /** A file's text, to check that a `folds-batches` model's SQL selects its batches by its name. */
  readonly readFile?: (file: string) => string;
}

/**
 * Validates a decoded manifest: shapes, unique names, known dependencies and test models, no
 * dependency cycle, every file present. Throws a ManifestError naming the first problem.
 */
export function parseTransformationManifest(
  raw: unknown,
  { source, fileExists, readFile }: ParseManifestOptions,
): TransformationManifest {
  const root = asObject(raw, source);
  if (root.version !== 1)
    throw new ManifestError(`${source}: "version" must be 1, got ${JSON.stringify(root.version)}`);
  const models = asArray(root.models, `${source}: "models"`).map((entry, index) =>
    parseModel(entry, `${source}: models[${index}]`),
  );
  const tests = asArray(root.tests ?? [], `${source}: "tests"`).map((entry, index) =>
    parseTest(entry, `${source}: tests[${index}]`),
  );

  const modelNames = new Set<string>();
  for (const model of models) {
    if (modelNames.has(model.name))
      throw new ManifestError(`${source}: model "${model.name}" is defined twice`);
    modelNames.add(model.name);
  }
  for (const model of models) {
    for (const dependency of model.dependsOn) {
      if (!modelNames.has(dependency))
        throw new ManifestError(
          `${source}: model "${model.name}" depends on "${dependency}", which is not a model in the manifest`,
        );
    }
  }
  const testNames = new Set<string>();
  for (const test of tests) {
    if (testNames.has(test.name)) throw new ManifestError(`${source}: test "${test.name}" is defined twice`);
    testNames.add(test.name);
    for (const model of test.models) {
      if (!modelNames.has(model))
        throw new ManifestError(
          `${source}: test "${test.name}" checks "${model}", which is not a model in the manifest`,
        );
    }
  }
  const manifest: TransformationManifest = { version: 1, models, tests };
  planWaves(manifest, source); // throws on a cycle

  const missing = [
    ...models.flatMap((model) =>
      [...model.fullRefreshFiles, ...model.files].map((file) => ({ owner: `model "${model.name}"`, file })),
    ),
    ...tests.flatMap((test) =>
      [test.file, ...(test.fullHistoryFile ? [test.fullHistoryFile] : [])].map((file) => ({
        owner: `test "${test.name}"`,
        file,
      })),
    ),
  ].find(({ file }) => !fileExists(file));
  if (missing)
    throw new ManifestError(
      `${source}: ${missing.owner} names "${missing.file}", which does not exist under sql/`,
    );
  if (readFile !== undefined) {
    for (const model of models.filter((each) => each.refresh === 'folds-batches')) {
      const reading = model.files.filter((file) => readFile(file).includes('silver.unfolded_batches'));
      const unfiltered = reading.find((file) => !readFile(file).includes(unfoldedBatchesFilter(model.name)));
      if (reading.length === 0 || unfiltered !== undefined)
        throw new ManifestError(
          `${source}: model "${model.name}" folds batches, so its SQL must select the rows it folds with ${unfoldedBatchesFilter(model.name)}${unfiltered ? `; sql/${unfiltered} does not` : ''}`,
        );
    }
    assertEmptiedAfterEveryReader(models, readFile, source);
  }
  return manifest;
}

/**
 * The run's work lists that one model empties once the others have used them: the pending days
 * and the unfolded batches. A model that reads one must run before the model that empties it, or
 * it would miss the batch's work whenever the two ran in the other order.
 */
const RUN_WORK_LISTS = ['silver.pending_days', 'silver.unfolded_batches'] as const;

function assertEmptiedAfterEveryReader(
  models: readonly ModelDefinition[],
  readFile: (file: string) => string,
  source: string,
): void {
  const byName = new Map(models.map((model) => [model.name, model]));
  /** Whether `other` is among the models `model` depends on, directly or through others. */
  const runsAfter = (model: ModelDefinition, other: string): boolean => {
    const pending = [...model.dependsOn];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const dependency = pending.pop()!;
      if (dependency === other) return true;
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      pending.push(...byName.get(dependency)!.dependsOn);
    }
    return false;
  };
  for (const table of RUN_WORK_LISTS) {
    const emptying = new RegExp(`DELETE\\s+FROM\\s+${table.replace('.', '\\.')}\\b`, 'i');
    const sqlOf = (model: ModelDefinition) => model.files.map((file) => readFile(file)).join('\n');
    const emptiers = models.filter((model) => emptying.test(sqlOf(model)));
    const readers = models.filter(
      (model) => model.refresh !== 'setup' && !emptiers.includes(model) && sqlOf(model).includes(table),
    );
    for (const emptier of emptiers) {
      const missed = readers.find((reader) => !runsAfter(emptier, reader.name));
      if (missed)
        throw new ManifestError(
          `${source}: model "${emptier.name}" empties ${table}, which model "${missed.name}" reads: add "${missed.name}" to the dependsOn of "${emptier.name}"`,
        );
    }
  }
}

/**
 * The models in dependency order, grouped into waves: every model's dependencies are in earlier
 * waves, so the models of one wave are independent of each other and may run in parallel (the
 * Step Functions definition runs a wave as a Parallel state). Within a wave, models keep manifest
 * order. Throws a ManifestError naming the models of a dependency cycle.
 */
export function planWaves(manifest: TransformationManifest, source = 'manifest'): ModelDefinition[][] {
  const waves: ModelDefinition[][] = [];
  const done = new Set<string>();
  let remaining = [...manifest.models];
  while (remaining.length > 0) {
    const wave = remaining.filter((model) => model.dependsOn.every((dependency) => done.has(dependency)));
    if (wave.length === 0) {
      const stuck = remaining.map((model) => model.name).join(', ');
      throw new ManifestError(`${source}: the dependencies of these models form a cycle: ${stuck}`);
    }
    for (const model of wave) done.add(model.name);
    remaining = remaining.filter((model) => !done.has(model.name));
    waves.push(wave);
  }
  return waves;
}

function parseModel(raw: unknown, where: string): ModelDefinition {
  const entry = asObject(raw, where);
  const name = asName(entry.name, `${where}.name`);
  const at = `${where} ("${name}")`;
  const refresh = entry.refresh;
  if (!MODEL_REFRESHES.includes(refresh as ModelRefresh))
    throw new ManifestError(
      `${at}: "refresh" must be one of ${MODEL_REFRESHES.join(', ')}, got ${JSON.stringify(refresh)}`,
    );
  const files = asStrings(entry.files, `${at}.files`);
  if (files.length === 0)
    throw new ManifestError(`${at}: "files" is empty: a model runs at least one SQL file`);
  return {
    name,
    description: typeof entry.description === 'string' ? entry.description : '',
    refresh: refresh as ModelRefresh,
    dependsOn: asStrings(entry.dependsOn ?? [], `${at}.dependsOn`),
    files,
    fullRefreshFiles: asStrings(entry.fullRefreshFiles ?? [], `${at}.fullRefreshFiles`),
  };
}

function parseTest(raw: unknown, where: string): DataQualityTestDefinition {
  const entry = asObject(raw, where);
  const name = asName(entry.name, `${where}.name`);
  const at = `${where} ("${name}")`;
  if (typeof entry.file !== 'string' || !entry.file.endsWith('.sql'))
    throw new ManifestError(`${at}: "file" must be the path of a .sql file under sql/`);
  if (
    entry.fullHistoryFile !== undefined &&
    (typeof entry.fullHistoryFile !== 'string' || !entry.fullHistoryFile.endsWith('.sql'))
  )
    throw new ManifestError(`${at}: "fullHistoryFile" must be the path of a .sql file under sql/`);
  return {
    name,
    file: entry.file,
    ...(entry.fullHistoryFile === undefined ? {} : { fullHistoryFile: entry.fullHistoryFile as string }),
    models: asStrings(entry.models, `${at}.models`),
  };
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ManifestError(`${where}: must be a JSON object`);
  return value as Record<string, unknown>;
}

function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ManifestError(`${where} must be an array`);
  return value;
}

function asName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/.test(value))
    throw new ManifestError(
      `${where}: must be a lower-case name such as "gold.daily_active_users", got ${JSON.stringify(value)}`,
    );
  return value;
}

function asStrings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === ''))
    throw new ManifestError(`${where}: must be an array of non-empty strings`);
  const files = value as string[];
  for (const item of files)
    if (item.includes('..') || item.startsWith('/'))
      throw new ManifestError(`${where}: "${item}" must be a path inside sql/`);
  return files;
}
