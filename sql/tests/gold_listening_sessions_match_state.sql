-- Fails on: a UTC day this batch's events fall on whose gold.listening_sessions row disagrees with
-- the sessions silver.sessions holds as starting that day (their number, events, plays, skips,
-- minutes, those ending in a skip), is present on one side only, or holds an average or share out
-- of range. Every ? is the batch id;
-- tests/full_history/gold_listening_sessions_match_silver.sql groups the events into sessions anew.
WITH batch_days AS (
    SELECT DISTINCT event_day
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
fresh AS (
    SELECT
        start_day AS day,
        COUNT(*) AS sessions,
        SUM(events) AS events,
        SUM(plays) AS plays,
        SUM(skips) AS skips,
        SUM(DATEDIFF('millisecond', started_at, ended_at)) AS session_ms,
        COUNT_IF(last_event_type = 'skip') AS ending_in_skip
    FROM silver.sessions
    WHERE start_day IN (SELECT event_day FROM batch_days)
    GROUP BY start_day
),
in_gold AS (
    SELECT *
    FROM gold.listening_sessions
    WHERE day IN (SELECT event_day FROM batch_days)
)
SELECT
    COALESCE(f.day, g.day) AS day,
    f.sessions AS expected_sessions,
    g.sessions AS sessions_in_gold,
    f.events AS expected_events,
    g.avg_events_per_session * g.sessions AS events_in_gold
FROM fresh AS f
FULL OUTER JOIN in_gold AS g ON g.day = f.day
WHERE f.day IS NULL
   OR g.day IS NULL
   OR f.sessions <> g.sessions
   OR ABS(f.events - g.avg_events_per_session * g.sessions) > 1e-6 * f.events
   OR ABS(f.plays - g.avg_plays_per_session * g.sessions) > 1e-6 * f.events
   OR ABS(f.skips - g.avg_skips_per_session * g.sessions) > 1e-6 * f.events
   OR ABS(f.session_ms - g.avg_session_minutes * 60000 * g.sessions) > 1e-6 * f.session_ms + 1e-6
   OR ABS(f.ending_in_skip - g.sessions_ending_in_skip_pct * g.sessions / 100) > 1e-6 * f.sessions
   OR g.avg_events_per_session < 1
   OR g.avg_plays_per_session + g.avg_skips_per_session > g.avg_events_per_session + 1e-9
   OR g.avg_session_minutes < 0
   OR g.sessions_ending_in_skip_pct < 0
   OR g.sessions_ending_in_skip_pct > 100
