import { DEFAULT_SQL_DIR, readSqlStatement } from '../warehouse/sql-files.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** The gold models the report shows, in its order, each read by `sql/report/<name>.sql`. */
export const GOLD_REPORT_MODELS = [
  'daily_active_users',
  'user_retention',
  'cohort_retention',
  'top_songs',
  'skip_rate_by_song',
  'device_usage',
  'country_engagement',
  'user_engagement',
  'active_users',
  'hourly_event_volume',
  'listening_sessions',
  'skip_rate_anomalies',
] as const;
export type GoldReportModel = (typeof GOLD_REPORT_MODELS)[number];

/**
 * A report cell: dates as `YYYY-MM-DD`, times (the columns in TIMESTAMP_COLUMNS) as ISO 8601 UTC
 * `YYYY-MM-DDTHH:MM:SSZ`, counts and rates as numbers, NULL as null.
 */
export type ReportValue = string | number | null;
export type ReportRow = Readonly<Record<string, ReportValue>>;

/** Every gold model's rows, keyed by model name (without the `gold.` schema). */
export type GoldReport = Readonly<Record<GoldReportModel, readonly ReportRow[]>>;

/** Reads every gold model through its report query and normalises the values for JSON, CSV and tables. */
export async function readGoldReport(
  warehouse: Warehouse,
  sqlDir: string = DEFAULT_SQL_DIR,
): Promise<GoldReport> {
  return (await readGoldModels(warehouse, GOLD_REPORT_MODELS, sqlDir)) as GoldReport;
}

/** Reads only these models, as readGoldReport does: what a caller that shows a few of them needs. */
export async function readGoldModels<M extends GoldReportModel>(
  warehouse: Warehouse,
  models: readonly M[],
  sqlDir: string = DEFAULT_SQL_DIR,
): Promise<Readonly<Record<M, readonly ReportRow[]>>> {
  const report: Partial<Record<M, ReportRow[]>> = {};
  for (const model of models) {
    const rows = await warehouse.query(readSqlStatement(sqlDir, `report/${model}.sql`));
    report[model] = rows.map((row) => normaliseRow(row));
  }
  return report as Record<M, ReportRow[]>;
}

/**
 * The report's TIMESTAMP_NTZ columns. The drivers give a DATE and a TIMESTAMP alike as a Date, so
 * a midnight hour could not be told from a day by its value: the column says which it is.
 */
const TIMESTAMP_COLUMNS: ReadonlySet<string> = new Set(['hour']);

/** A row of a report query, its values as ReportValue; `timestampColumns` are written as times. */
export function normaliseRow(
  row: Record<string, unknown>,
  timestampColumns: ReadonlySet<string> = TIMESTAMP_COLUMNS,
): ReportRow {
  const normalised: Record<string, ReportValue> = {};
  for (const [name, value] of Object.entries(row)) {
    const column = name.toLowerCase();
    normalised[column] = normaliseValue(value, timestampColumns.has(column));
  }
  return normalised;
}

function normaliseValue(value: unknown, isTimestamp: boolean): ReportValue {
  if (value === null || value === undefined) return null;
  // A DATE comes as midnight UTC of that day; a TIMESTAMP_NTZ as its UTC wall-clock time.
  if (value instanceof Date)
    return isTimestamp ? `${value.toISOString().slice(0, 19)}Z` : value.toISOString().slice(0, 10);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value);
}
