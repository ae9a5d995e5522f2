import type { LayerAudit } from '../../../lambdas/shared/audit/layer-audit.js';
import type { ReportRow } from '../../../lambdas/shared/transform/gold-report.js';
import type { LakeHealth } from './lake-health.js';

/**
 * Everything one dashboard shows, as the page receives it (inlined in the file, or from
 * `data.json` when served live). Gold rows are the report's rows (`report --format json`), at most
 * DASHBOARD_LIMITS of them per panel; country totals are the report's per-day rows summed.
 */
export interface DashboardData {
  /** When the numbers were read, ISO-8601 UTC. */
  readonly generatedAt: string;
  /** What they were read from: `duckdb:PATH` or `snowflake`. */
  readonly source: string;
  /** Seconds between the page's requests for new numbers when served live; null in a file. */
  readonly refreshSeconds: number | null;
  readonly gold: DashboardGold;
  readonly health: PipelineHealth;
}

/** How many rows each panel shows: the newest days and hours, the first rows of a ranking. */
export const DASHBOARD_LIMITS = {
  days: 90,
  hours: 72,
  cohorts: 30,
  songs: 10,
  countries: 10,
  anomalies: 20,
} as const;

export interface DashboardGold {
  /** gold.active_users, the newest `days`, oldest first. */
  readonly active_users: readonly ReportRow[];
  /** gold.hourly_event_volume, the newest `hours`, oldest first. */
  readonly hourly_event_volume: readonly ReportRow[];
  /** gold.cohort_retention, the newest `cohorts`, oldest first. */
  readonly cohort_retention: readonly ReportRow[];
  /** gold.top_songs and gold.skip_rate_by_song, the first `songs` in the report's order. */
  readonly top_songs: readonly ReportRow[];
  readonly skip_rate_by_song: readonly ReportRow[];
  readonly device_usage: readonly ReportRow[];
  /** gold.country_engagement summed over its days, by plays: the first `countries`. */
  readonly country_engagement: readonly CountryTotals[];
  /** Countries beyond those, summed, or null when there are none. */
  readonly other_countries: (CountryTotals & { readonly countries: number }) | null;
  /** gold.listening_sessions, the newest `days`, oldest first. */
  readonly listening_sessions: readonly ReportRow[];
  /** gold.skip_rate_anomalies, the first `anomalies` in the report's order (newest day first). */
  readonly skip_rate_anomalies: readonly ReportRow[];
  readonly skip_rate_anomaly_count: number;
}

/** A type, not an interface, so that it is a ReportRow too. */
export type CountryTotals = {
  readonly country: string;
  readonly plays: number;
  readonly skips: number;
  readonly playlist_adds: number;
};

/** The health panel: how far each layer has got, and what was refused on the way. */
export interface PipelineHealth {
  readonly warehouse: WarehouseFreshness;
  /** Rows refused by the loader (`bronze`) and by silver (`silver`), by reason. */
  readonly rejects: readonly {
    readonly layer: 'bronze' | 'silver';
    readonly reason: string;
    readonly row_count: number;
  }[];
  /** Null when the dashboard was not given the lake's bucket. */
  readonly lake: LakeHealth | null;
  /** The audit's warehouse layers (`spotify-pipeline audit` adds Kafka's offsets and the lake). */
  readonly audit: LayerAudit;
}

/** sql/report/pipeline_freshness.sql's row; times ISO-8601 UTC. */
export interface WarehouseFreshness {
  readonly bronze_newest_event: string | null;
  readonly bronze_last_load: string | null;
  readonly bronze_rows: number;
  readonly silver_newest_event: string | null;
  readonly silver_rows: number;
  /** The start of the newest hour in gold.hourly_event_volume. */
  readonly gold_newest_hour: string | null;
  readonly last_transformation: string | null;
}
