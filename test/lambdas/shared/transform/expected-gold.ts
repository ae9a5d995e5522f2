import type { ListeningEvent } from '../../../../lambdas/shared/event-contract/listening-event.js';
import type { GoldReport, ReportRow } from '../../../../lambdas/shared/transform/gold-report.js';

/**
 * The gold models computed in plain TypeScript from the accepted events, independently of the SQL,
 * with rows sorted as the report's queries sort them. Days are UTC days: the first ten characters
 * of the canonical UTC timestamp.
 */
export function expectedGold(events: readonly ListeningEvent[]): GoldReport {
  const dayOf = (event: ListeningEvent) => event.timestamp.slice(0, 10);
  const count = (list: readonly ListeningEvent[], type: string) =>
    list.filter((e) => e.event_type === type).length;
  const distinctUsers = (list: readonly ListeningEvent[]) => new Set(list.map((e) => e.user_id)).size;

  const byDay = groupBy(events, dayOf);
  const daily_active_users = [...byDay]
    .map(([day, list]) => ({ day, daily_active_users: distinctUsers(list) }))
    .sort(by((row) => row.day));

  const daysByUser = new Map<string, Set<string>>();
  for (const event of events) {
    const days = daysByUser.get(event.user_id) ?? new Set<string>();
    days.add(dayOf(event));
    daysByUser.set(event.user_id, days);
  }
  const user_retention = [...daysByUser].map(([user_id, days]) => {
    const sorted = [...days].sort();
    return { user_id, active_days: days.size, first_seen: sorted[0]!, last_seen: sorted[sorted.length - 1]! };
  });
  user_retention.sort(by((row) => `${row.first_seen} ${row.user_id}`));

  const lastDay = [...byDay.keys()].sort().at(-1)!;
  const cohorts = groupBy(user_retention, (row) => row.first_seen);
  const cohort_retention = [...cohorts]
    .map(([cohortDay, members]) => {
      const retained = (n: number) => {
        if (addDays(cohortDay, n) >= lastDay) return { retained: null, rate: null };
        const active = members.filter((member) =>
          daysByUser.get(member.user_id)!.has(addDays(cohortDay, n)),
        ).length;
        return { retained: active, rate: active / members.length };
      };
      const day1 = retained(1);
      const day7 = retained(7);
      return {
        cohort_day: cohortDay,
        cohort_size: members.length,
        day_1_retained: day1.retained,
        day_1_retention_rate: day1.rate,
        day_7_retained: day7.retained,
        day_7_retention_rate: day7.rate,
      };
    })
    .sort(by((row) => row.cohort_day));

  // A song's name is its latest event's (latest timestamp, then greatest event_id).
  const songs = [...groupBy(events, (e) => e.song_id)].map(([song_id, list]) => {
    const latest = [...list].sort(
      (a, b) => compare(b.timestamp, a.timestamp) || compare(b.event_id, a.event_id),
    )[0]!;
    return {
      song_id,
      song_name: latest.song_name,
      artist_name: latest.artist_name,
      total_plays: count(list, 'play'),
      total_skips: count(list, 'skip'),
    };
  });
  const top_songs = [...songs].sort((a, b) => b.total_plays - a.total_plays || compare(a.song_id, b.song_id));
  const skip_rate_by_song = songs
    .map((song) => ({
      ...song,
      skip_rate: song.total_plays === 0 ? null : song.total_skips / song.total_plays,
    }))
    .sort(
      (a, b) =>
        (b.skip_rate ?? Number.NEGATIVE_INFINITY) - (a.skip_rate ?? Number.NEGATIVE_INFINITY) ||
        compare(a.song_id, b.song_id),
    );

  const device_usage = [...groupBy(events, (e) => e.device_type)]
    .map(([device_type, list]) => ({
      device_type,
      total_events: list.length,
      unique_users: distinctUsers(list),
      device_event_pct: (100 * list.length) / events.length,
    }))
    .sort((a, b) => b.total_events - a.total_events || compare(a.device_type, b.device_type));

  const country_engagement = [...groupBy(events, (e) => `${dayOf(e)} ${e.country}`)]
    .map(([, list]) => ({
      country: list[0]!.country,
      day: dayOf(list[0]!),
      plays: count(list, 'play'),
      skips: count(list, 'skip'),
      playlist_adds: count(list, 'add_to_playlist'),
      unique_users: distinctUsers(list),
    }))
    .sort(by((row) => `${row.day} ${row.country}`));

  const user_engagement = [...groupBy(events, (e) => `${dayOf(e)} ${e.user_id}`)]
    .map(([, list]) => ({
      user_id: list[0]!.user_id,
      day: dayOf(list[0]!),
      plays: count(list, 'play'),
      skips: count(list, 'skip'),
      pauses: count(list, 'pause'),
      playlist_adds: count(list, 'add_to_playlist'),
    }))
    .sort(by((row) => `${row.day} ${row.user_id}`));

  // Weekly and monthly actives: distinct users with an event in the 7 and 28 UTC days ending that day.
  const active_users = daily_active_users.map(({ day, daily_active_users: dau }) => {
    const activeWithin = (days: number) =>
      distinctUsers(events.filter((e) => dayOf(e) <= day && dayOf(e) > addDays(day, -days)));
    const monthly = activeWithin(28);
    return {
      day,
      daily_active_users: dau,
      weekly_active_users: activeWithin(7),
      monthly_active_users: monthly,
      stickiness: dau / monthly,
    };
  });

  const hourOf = (event: ListeningEvent) => `${event.timestamp.slice(0, 13)}:00:00Z`;
  const hourly_event_volume = [...groupBy(events, hourOf)]
    .map(([hour, list]) => ({
      hour,
      events: list.length,
      plays: count(list, 'play'),
      pauses: count(list, 'pause'),
      skips: count(list, 'skip'),
      playlist_adds: count(list, 'add_to_playlist'),
      unique_users: distinctUsers(list),
    }))
    .sort(by((row) => row.hour));

  const listening_sessions = [...groupBy(sessionsOf(events), (session) => dayOf(session[0]!))]
    .map(([day, sessions]) => {
      const mean = (value: (session: ListeningEvent[]) => number) =>
        sessions.reduce((sum, session) => sum + value(session), 0) / sessions.length;
      return {
        day,
        sessions: sessions.length,
        avg_events_per_session: mean((session) => session.length),
        avg_session_minutes: mean(
          (session) => (Date.parse(session.at(-1)!.timestamp) - Date.parse(session[0]!.timestamp)) / 60_000,
        ),
        avg_plays_per_session: mean((session) => count(session, 'play')),
        avg_skips_per_session: mean((session) => count(session, 'skip')),
        sessions_ending_in_skip_pct:
          (100 * sessions.filter((session) => session.at(-1)!.event_type === 'skip').length) /
          sessions.length,
      };
    })
    .sort(by((row) => row.day));

  const currentName = new Map(songs.map((song) => [song.song_id, song]));
  const skip_rate_anomalies = skipRateAnomaliesOf(events).map((anomaly) => ({
    day: anomaly.day,
    song_id: anomaly.song_id,
    song_name: currentName.get(anomaly.song_id)!.song_name,
    artist_name: currentName.get(anomaly.song_id)!.artist_name,
    plays: anomaly.plays,
    skips: anomaly.skips,
    skip_rate: anomaly.skip_rate,
    baseline_skip_rate: anomaly.baseline_skip_rate,
    score: anomaly.score,
  }));

  return {
    daily_active_users,
    user_retention,
    cohort_retention,
    top_songs,
    skip_rate_by_song,
    device_usage,
    country_engagement,
    user_engagement,
    active_users,
    hourly_event_volume,
    listening_sessions,
    skip_rate_anomalies,
  } satisfies Record<string, ReportRow[]>;
}

/** Most sessions gap between events before a session-less event starts a new one. */
const SESSION_GAP_MS = 30 * 60_000;

/**
 * The listening sessions, each its events in time order (then by event_id): a user's events sharing
 * a session_id, and each user's session-less events split wherever one comes more than 30 minutes
 * after the one before.
 */
function sessionsOf(events: readonly ListeningEvent[]): ListeningEvent[][] {
  const inOrder = [...events].sort(
    (a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || compare(a.event_id, b.event_id),
  );
  const sessions = [
    ...groupBy(
      inOrder.filter((e) => e.session_id !== null),
      (e) => `${e.user_id} ${e.session_id}`,
    ).values(),
  ];
  for (const list of groupBy(
    inOrder.filter((e) => e.session_id === null),
    (e) => e.user_id,
  ).values()) {
    let current: ListeningEvent[] = [];
    for (const event of list) {
      const previous = current.at(-1);
      if (previous && Date.parse(event.timestamp) - Date.parse(previous.timestamp) > SESSION_GAP_MS) {
        sessions.push(current);
        current = [];
      }
      current.push(event);
    }
    sessions.push(current);
  }
  return sessions;
}

/** The anomaly method's constants, as sql/gold/README.md states them. */
const ANOMALY = { minPlays: 30, baselineDays: 14, minBaselineDays: 7, minScore: 4, minDeparture: 0.1 };

/**
 * Songs whose skip rate on a day departs from the median of their previous 14 days' rates (days
 * with at least 30 plays, at least 7 of them) by a score of 4 or more, the spread being 1.4826
 * times the median absolute deviation or, when larger, the day's binomial noise around the
 * baseline; and by at least 10 points. Latest day first, largest |score| first, then song_id.
 */
export function skipRateAnomaliesOf(events: readonly ListeningEvent[]) {
  const days = new Map<string, { plays: number; skips: number }>();
  for (const event of events) {
    if (event.event_type !== 'play' && event.event_type !== 'skip') continue;
    const key = `${event.song_id} ${event.timestamp.slice(0, 10)}`;
    const counts = days.get(key) ?? { plays: 0, skips: 0 };
    if (event.event_type === 'play') counts.plays++;
    else counts.skips++;
    days.set(key, counts);
  }
  const anomalies = [];
  for (const [key, { plays, skips }] of days) {
    if (plays < ANOMALY.minPlays) continue;
    const [song_id, day] = key.split(' ') as [string, string];
    const rates: number[] = [];
    for (let back = 1; back <= ANOMALY.baselineDays; back++) {
      const before = days.get(`${song_id} ${addDays(day, -back)}`);
      if (before && before.plays >= ANOMALY.minPlays) rates.push(before.skips / before.plays);
    }
    if (rates.length < ANOMALY.minBaselineDays) continue;
    const baseline = median(rates);
    const deviation = median(rates.map((rate) => Math.abs(rate - baseline)));
    const clamped = Math.min(Math.max(baseline, 0.01), 0.99);
    const spread = Math.max(1.4826 * deviation, Math.sqrt((clamped * (1 - clamped)) / plays));
    const rate = skips / plays;
    const score = (rate - baseline) / spread;
    if (Math.abs(score) >= ANOMALY.minScore && Math.abs(rate - baseline) >= ANOMALY.minDeparture)
      anomalies.push({ day, song_id, plays, skips, skip_rate: rate, baseline_skip_rate: baseline, score });
  }
  return anomalies.sort(
    (a, b) => compare(b.day, a.day) || Math.abs(b.score) - Math.abs(a.score) || compare(a.song_id, b.song_id),
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** Byte order, as the warehouses compare VARCHAR. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function by<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compare(key(a), key(b));
}

/** A report with fractions rounded to 12 significant digits: SQL and TypeScript sum in different orders. */
export function comparable(report: Partial<GoldReport>): unknown {
  return JSON.parse(
    JSON.stringify(report, (_key, value) =>
      typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
    ),
  );
}
