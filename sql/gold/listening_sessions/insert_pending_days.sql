-- gold.listening_sessions for the start days whose sessions changed, from silver.sessions. Grain:
-- one row per UTC day on which sessions started; a session is counted on the day of its first
-- event, whole, however far past midnight it runs. Minutes: first to last event. The percentage
-- is of sessions whose last event is a skip, from 0 to 100.
INSERT INTO gold.listening_sessions (
    day, sessions, avg_events_per_session, avg_session_minutes, avg_plays_per_session,
    avg_skips_per_session, sessions_ending_in_skip_pct
)
-- Sums of whole numbers, divided once: the same rows give the same averages in any order.
SELECT
    start_day AS day,
    COUNT(*) AS sessions,
    CAST(SUM(events) AS DOUBLE) / COUNT(*) AS avg_events_per_session,
    CAST(SUM(DATEDIFF('millisecond', started_at, ended_at)) AS DOUBLE) / COUNT(*) / 60000 AS avg_session_minutes,
    CAST(SUM(plays) AS DOUBLE) / COUNT(*) AS avg_plays_per_session,
    CAST(SUM(skips) AS DOUBLE) / COUNT(*) AS avg_skips_per_session,
    100 * CAST(COUNT_IF(last_event_type = 'skip') AS DOUBLE) / COUNT(*) AS sessions_ending_in_skip_pct
FROM silver.sessions
WHERE start_day IN (SELECT start_day FROM silver.pending_session_days)
GROUP BY start_day
