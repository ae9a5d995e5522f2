-- silver.sessions. Grain: one row per listening session: the events of one user sharing a
-- session_id, or (session_id NULL) a run of that user's events without one, none more than 30
-- minutes after the one before. The state gold.listening_sessions is maintained from: a batch
-- merges its events into their sessions (counts add up, the first and last event move), and
-- regroups the session-less events of the users it brings new ones for.
CREATE TABLE IF NOT EXISTS silver.sessions (
    user_id VARCHAR NOT NULL,
    session_id VARCHAR,
    started_at TIMESTAMP_NTZ NOT NULL,
    -- The time of the session's last event.
    ended_at TIMESTAMP_NTZ NOT NULL,
    -- The UTC day of started_at: the day gold.listening_sessions counts the session on.
    start_day DATE NOT NULL,
    events BIGINT NOT NULL,
    plays BIGINT NOT NULL,
    skips BIGINT NOT NULL,
    -- The last event (latest event_ts, then greatest event_id) and its type.
    last_event_id VARCHAR NOT NULL,
    last_event_type VARCHAR NOT NULL
)
