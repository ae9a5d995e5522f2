import { describe, expect, it } from 'vitest';
import { DASHBOARD_MODELS, dashboardGoldOf } from '../../../../bin/cli/dashboard/dashboard-data.js';
import { DASHBOARD_LIMITS } from '../../../../bin/cli/dashboard/dashboard-model.js';
import type { ReportRow } from '../../../../lambdas/shared/transform/gold-report.js';

const DAY_MS = 86_400_000;
const dayOf = (index: number) => new Date(Date.UTC(2026, 0, 1) + index * DAY_MS).toISOString().slice(0, 10);

/** A report with `days` days, `countries` countries (country i has i+1 plays a day) and `songs` songs. */
function aReport(days: number, countries: number, songs: number) {
  const report = Object.fromEntries(DASHBOARD_MODELS.map((model) => [model, [] as ReportRow[]])) as Record<
    (typeof DASHBOARD_MODELS)[number],
    ReportRow[]
  >;
  for (let day = 0; day < days; day++) {
    report.active_users.push({ day: dayOf(day), daily_active_users: day });
    report.listening_sessions.push({ day: dayOf(day), sessions: day });
    report.cohort_retention.push({ cohort_day: dayOf(day), cohort_size: 1 });
    for (let hour = 0; hour < 24; hour++)
      report.hourly_event_volume.push({
        hour: `${dayOf(day)}T${String(hour).padStart(2, '0')}:00:00Z`,
        events: hour,
      });
    for (let country = 0; country < countries; country++)
      report.country_engagement.push({
        country: `C${country}`,
        day: dayOf(day),
        plays: country + 1,
        skips: 1,
        playlist_adds: 0,
        unique_users: 1,
      });
  }
  for (let song = 0; song < songs; song++) {
    report.top_songs.push({ song_id: `s${song}`, total_plays: songs - song });
    report.skip_rate_by_song.push({ song_id: `s${song}`, skip_rate: 1 - song / songs });
    report.skip_rate_anomalies.push({ day: dayOf(0), song_id: `s${song}`, score: 5 });
  }
  return report;
}

describe('what each dashboard panel takes from the report', () => {
  it('GIVEN more history than the panels show THEN each keeps its newest days, hours and cohorts, and the first of each ranking', () => {
    const report = aReport(120, 3, 40);

    const gold = dashboardGoldOf(report);

    expect(gold.active_users.map((row) => row.day)).toEqual(
      report.active_users.slice(-DASHBOARD_LIMITS.days).map((row) => row.day),
    );
    expect(gold.listening_sessions).toHaveLength(DASHBOARD_LIMITS.days);
    expect(gold.listening_sessions.at(-1)!.day).toBe(dayOf(119));
    expect(gold.hourly_event_volume).toHaveLength(DASHBOARD_LIMITS.hours);
    expect(gold.hourly_event_volume.at(-1)!.hour).toBe(`${dayOf(119)}T23:00:00Z`);
    expect(gold.cohort_retention[0]!.cohort_day).toBe(dayOf(120 - DASHBOARD_LIMITS.cohorts));
    expect(gold.top_songs.map((row) => row.song_id)).toEqual(
      report.top_songs.slice(0, DASHBOARD_LIMITS.songs).map((row) => row.song_id),
    );
    expect(gold.skip_rate_by_song).toHaveLength(DASHBOARD_LIMITS.songs);
    expect(gold.skip_rate_anomalies).toHaveLength(DASHBOARD_LIMITS.anomalies);
    expect(gold.skip_rate_anomaly_count).toBe(40);
  });

  it('GIVEN more countries than the panel shows THEN it sums each over the days, ranks by plays, and sums the rest as one', () => {
    const gold = dashboardGoldOf(aReport(5, 13, 1));

    expect(gold.country_engagement.map((row) => row.country)).toEqual([
      'C12',
      'C11',
      'C10',
      'C9',
      'C8',
      'C7',
      'C6',
      'C5',
      'C4',
      'C3',
    ]);
    expect(gold.country_engagement[0]).toEqual({ country: 'C12', plays: 65, skips: 5, playlist_adds: 0 });
    expect(gold.other_countries).toEqual({
      country: '3 other countries',
      countries: 3,
      plays: 5 * (1 + 2 + 3),
      skips: 15,
      playlist_adds: 0,
    });
  });

  it('GIVEN no more countries than the panel shows THEN there is no "other" slice', () => {
    expect(dashboardGoldOf(aReport(2, 4, 1)).other_countries).toBeNull();
  });
});
