-- Anomalies show a song's current name (silver.song_names), also those of days not rescored.
UPDATE gold.skip_rate_anomalies
SET song_name = n.song_name, artist_name = n.artist_name
FROM silver.song_names AS n
WHERE gold.skip_rate_anomalies.song_id = n.song_id
  AND (gold.skip_rate_anomalies.song_name <> n.song_name OR gold.skip_rate_anomalies.artist_name <> n.artist_name)
