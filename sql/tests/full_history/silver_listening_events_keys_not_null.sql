-- Fails on: a silver event missing a key or a time (the table declares NOT NULL; Snowflake enforces
-- it, but this says which row).
SELECT event_id, user_id, song_id, event_ts, event_day
FROM silver.listening_events
WHERE event_id IS NULL OR user_id IS NULL OR song_id IS NULL OR event_ts IS NULL OR event_day IS NULL
