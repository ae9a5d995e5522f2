-- Fails on: a silver event of this batch missing a key or a time (the table declares NOT NULL;
-- Snowflake enforces it, but this says which row). Bound: the batch id.
SELECT event_id, user_id, song_id, event_ts, event_day
FROM silver.listening_events
WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
  AND (event_id IS NULL OR user_id IS NULL OR song_id IS NULL OR event_ts IS NULL OR event_day IS NULL)
