-- silver.unsessioned_events. Grain: one row per accepted event without a session_id. A narrow
-- copy, so that regrouping a user's session-less events by the 30-minute gap reads these alone,
-- not all of silver; events from clients that send a session_id (all of the generator's) never
-- come here.
CREATE TABLE IF NOT EXISTS silver.unsessioned_events (
    user_id VARCHAR NOT NULL,
    event_id VARCHAR NOT NULL,
    event_ts TIMESTAMP_NTZ NOT NULL,
    event_type VARCHAR NOT NULL
)
