-- The rescored days' rows go (an anomaly the new data explains away is gone); the next file
-- writes the candidates.
DELETE FROM gold.skip_rate_anomalies
USING silver.pending_song_days AS p
WHERE gold.skip_rate_anomalies.song_id = p.song_id
  AND gold.skip_rate_anomalies.day >= p.event_day
  AND gold.skip_rate_anomalies.day <= p.event_day + 14
