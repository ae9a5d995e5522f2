import { readSqlStatement } from '../warehouse/sql-files.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** Anomalies listed one per line in an announcement; the rest are counted and left to the report. */
export const ANOMALIES_LISTED = 20;

/** The skip-rate anomalies a run found first, and the announcement that lists them. */
export interface NewAnomalies {
  readonly count: number;
  /** Plain text for the alarm topic or a terminal; empty when there are none. */
  readonly message: string;
}

type AnomalyRow = {
  readonly day: Date | string;
  readonly song_id: string;
  readonly song_name: string;
  readonly artist_name: string;
  // Numbers as the driver gives them: Snowflake's may come as text.
  readonly plays: number | bigint | string;
  readonly skip_rate: number | string;
  readonly baseline_skip_rate: number | string;
  readonly baseline_days: number | bigint | string;
  readonly score: number | string;
};

/**
 * The rows of gold.skip_rate_anomalies that `batchId` found first (sql/report/new_skip_rate_anomalies.sql),
 * announced as text. A full refresh finds every row again, so it announces none. The rows name
 * songs, never users: an announcement carries no personal data.
 */
export async function newSkipRateAnomalies(
  warehouse: Warehouse,
  sqlDir: string,
  run: { readonly batchId: string; readonly fullRefresh: boolean },
): Promise<NewAnomalies> {
  if (run.fullRefresh) return { count: 0, message: '' };
  const rows = await warehouse.query<AnomalyRow>(
    readSqlStatement(sqlDir, 'report/new_skip_rate_anomalies.sql'),
    [run.batchId],
  );
  return { count: rows.length, message: announcement(run.batchId, rows) };
}

function announcement(batchId: string, rows: readonly AnomalyRow[]): string {
  if (rows.length === 0) return '';
  const percent = (rate: number | string) => `${(100 * Number(rate)).toFixed(1)}%`;
  const lines = rows.slice(0, ANOMALIES_LISTED).map((row) => {
    const day = row.day instanceof Date ? row.day.toISOString().slice(0, 10) : String(row.day).slice(0, 10);
    return (
      `- ${day} ${row.song_id} "${row.song_name}" by ${row.artist_name}: skipped ${percent(row.skip_rate)} of ` +
      `${Number(row.plays).toLocaleString('en-US')} plays against ${percent(row.baseline_skip_rate)} over the ` +
      `${Number(row.baseline_days)} days before (score ${Number(row.score).toFixed(1)})`
    );
  });
  const more = rows.length - lines.length;
  return [
    `Pipeline run ${batchId} found ${rows.length} new skip-rate ${rows.length === 1 ? 'anomaly' : 'anomalies'}:`,
    ...lines,
    ...(more > 0 ? [`... and ${more} more.`] : []),
    `All of them: SELECT * FROM gold.skip_rate_anomalies WHERE found_in_batch = '${batchId}' (method: sql/gold/README.md).`,
  ].join('\n');
}
