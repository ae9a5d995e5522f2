import type { Warehouse } from '../warehouse/warehouse.js';
import { readSqlStatement } from './sql-files.js';
import { DEFAULT_SQL_DIR } from './transformation-manifest.js';

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
] as const;
export type GoldReportModel = (typeof GOLD_REPORT_MODELS)[number];

/** A report cell: dates as `YYYY-MM-DD`, counts and rates as numbers, NULL as null. */
export type ReportValue = string | number | null;
export type ReportRow = Readonly<Record<string, ReportValue>>;

/** Every gold model's rows, keyed by model name (without the `gold.` schema). */
export type GoldReport = Readonly<Record<GoldReportModel, readonly ReportRow[]>>;

/** Reads every gold model through its report query and normalises the values for JSON, CSV and tables. */
export async function readGoldReport(
  warehouse: Warehouse,
  sqlDir: string = DEFAULT_SQL_DIR,
): Promise<GoldReport> {
  const report: Partial<Record<GoldReportModel, ReportRow[]>> = {};
  for (const model of GOLD_REPORT_MODELS) {
    const rows = await warehouse.query(readSqlStatement(sqlDir, `report/${model}.sql`));
    report[model] = rows.map((row) => normaliseRow(row));
  }
  return report as GoldReport;
}

function normaliseRow(row: Record<string, unknown>): ReportRow {
  const normalised: Record<string, ReportValue> = {};
  for (const [column, value] of Object.entries(row)) normalised[column.toLowerCase()] = normaliseValue(value);
  return normalised;
}

function normaliseValue(value: unknown): ReportValue {
  if (value === null || value === undefined) return null;
  // Every date column is a DATE: the drivers give midnight UTC of that day.
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value);
}
