import type { S3Client } from '@aws-sdk/client-s3';
import { auditLayers } from '../../../lambdas/shared/audit/layer-audit.js';
import {
  type GoldReportModel,
  normaliseRow,
  type ReportRow,
  readGoldModels,
} from '../../../lambdas/shared/transform/gold-report.js';
import { DEFAULT_SQL_DIR, readSqlStatement } from '../../../lambdas/shared/warehouse/sql-files.js';
import type { Warehouse } from '../../../lambdas/shared/warehouse/warehouse.js';
import {
  type CountryTotals,
  DASHBOARD_LIMITS,
  type DashboardData,
  type DashboardGold,
  type PipelineHealth,
  type WarehouseFreshness,
} from './dashboard-model.js';
import { readLakeHealth } from './lake-health.js';

/** The gold models the dashboard shows, each read by the report's own query (sql/report/). */
export const DASHBOARD_MODELS = [
  'active_users',
  'hourly_event_volume',
  'cohort_retention',
  'top_songs',
  'skip_rate_by_song',
  'device_usage',
  'country_engagement',
  'listening_sessions',
  'skip_rate_anomalies',
] as const satisfies readonly GoldReportModel[];

export interface DashboardSources {
  readonly warehouse: Warehouse;
  /** How the warehouse was named on the command line, shown on the page. */
  readonly source: string;
  /** The lake, for its newest event, last arrival and quarantine; without it the panel says so. */
  readonly lake?: { readonly s3: S3Client; readonly bucket: string };
  readonly refreshSeconds?: number | null;
  readonly now?: () => Date;
}

/** Reads what the dashboard shows: gold through the report's queries, then the pipeline's health. */
export async function readDashboardData(sources: DashboardSources): Promise<DashboardData> {
  const { warehouse } = sources;
  const report = await readGoldModels(warehouse, DASHBOARD_MODELS);
  const [freshness] = await warehouse.query(
    readSqlStatement(DEFAULT_SQL_DIR, 'report/pipeline_freshness.sql'),
  );
  const rejects = await warehouse.query(readSqlStatement(DEFAULT_SQL_DIR, 'report/rejects_by_reason.sql'));
  const lake = sources.lake ? await readLakeHealth(sources.lake.s3, sources.lake.bucket) : null;
  const health: PipelineHealth = {
    warehouse: normaliseRow(freshness ?? {}, FRESHNESS_TIMES) as unknown as WarehouseFreshness,
    rejects: rejects.map((row) => normaliseRow(row)) as unknown as PipelineHealth['rejects'],
    lake,
    audit: await auditLayers(warehouse),
  };
  return {
    generatedAt: (sources.now?.() ?? new Date()).toISOString(),
    source: sources.source,
    refreshSeconds: sources.refreshSeconds ?? null,
    gold: dashboardGoldOf(report),
    health,
  };
}

/** pipeline_freshness.sql's time columns (the report's normaliser would write a day alone). */
const FRESHNESS_TIMES: ReadonlySet<string> = new Set([
  'bronze_last_load',
  'silver_newest_event',
  'gold_newest_hour',
  'last_transformation',
]);

/** The rows each panel shows (DASHBOARD_LIMITS), from the report's rows. */
export function dashboardGoldOf(
  report: Readonly<Record<(typeof DASHBOARD_MODELS)[number], readonly ReportRow[]>>,
): DashboardGold {
  const newest = (rows: readonly ReportRow[], count: number) => rows.slice(Math.max(0, rows.length - count));
  const first = (rows: readonly ReportRow[], count: number) => rows.slice(0, count);
  const countries = countryTotalsOf(report.country_engagement);
  const others = countries.slice(DASHBOARD_LIMITS.countries);
  return {
    active_users: newest(report.active_users, DASHBOARD_LIMITS.days),
    hourly_event_volume: newest(report.hourly_event_volume, DASHBOARD_LIMITS.hours),
    cohort_retention: newest(report.cohort_retention, DASHBOARD_LIMITS.cohorts),
    top_songs: first(report.top_songs, DASHBOARD_LIMITS.songs),
    skip_rate_by_song: first(report.skip_rate_by_song, DASHBOARD_LIMITS.songs),
    device_usage: report.device_usage,
    country_engagement: countries.slice(0, DASHBOARD_LIMITS.countries),
    other_countries:
      others.length === 0
        ? null
        : {
            country: `${others.length} other countries`,
            countries: others.length,
            plays: sum(others, 'plays'),
            skips: sum(others, 'skips'),
            playlist_adds: sum(others, 'playlist_adds'),
          },
    listening_sessions: newest(report.listening_sessions, DASHBOARD_LIMITS.days),
    skip_rate_anomalies: first(report.skip_rate_anomalies, DASHBOARD_LIMITS.anomalies),
    skip_rate_anomaly_count: report.skip_rate_anomalies.length,
  };
}

/** gold.country_engagement's days summed per country, most plays first (then by name). */
function countryTotalsOf(rows: readonly ReportRow[]): CountryTotals[] {
  const totals = new Map<string, { plays: number; skips: number; playlist_adds: number }>();
  for (const row of rows) {
    const country = String(row.country);
    const total = totals.get(country) ?? { plays: 0, skips: 0, playlist_adds: 0 };
    total.plays += Number(row.plays ?? 0);
    total.skips += Number(row.skips ?? 0);
    total.playlist_adds += Number(row.playlist_adds ?? 0);
    totals.set(country, total);
  }
  return [...totals]
    .map(([country, total]) => ({ country, ...total }))
    .sort((a, b) => b.plays - a.plays || a.country.localeCompare(b.country));
}

function sum(rows: readonly CountryTotals[], column: 'plays' | 'skips' | 'playlist_adds'): number {
  return rows.reduce((total, row) => total + row[column], 0);
}
