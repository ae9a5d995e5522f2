-- gold.listening_sessions. Grain: one row per UTC day on which sessions started. See
-- insert_pending_days.sql.
CREATE TABLE IF NOT EXISTS gold.listening_sessions (
    day DATE NOT NULL,
    sessions BIGINT NOT NULL,
    avg_events_per_session DOUBLE NOT NULL,
    avg_session_minutes DOUBLE NOT NULL,
    avg_plays_per_session DOUBLE NOT NULL,
    avg_skips_per_session DOUBLE NOT NULL,
    sessions_ending_in_skip_pct DOUBLE NOT NULL
)
