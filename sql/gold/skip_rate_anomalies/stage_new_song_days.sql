-- The (song, UTC day) pairs the unfolded batches bring plays or skips for.
INSERT INTO silver.pending_song_days (song_id, event_day)
SELECT DISTINCT e.song_id, e.event_day
FROM silver.listening_events AS e
WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.skip_rate_anomalies'))
  AND e.event_type IN ('play', 'skip')
