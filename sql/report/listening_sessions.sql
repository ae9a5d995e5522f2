-- The report's listening_sessions section.
SELECT
    day, sessions, avg_events_per_session, avg_session_minutes, avg_plays_per_session,
    avg_skips_per_session, sessions_ending_in_skip_pct
FROM gold.listening_sessions
ORDER BY day
