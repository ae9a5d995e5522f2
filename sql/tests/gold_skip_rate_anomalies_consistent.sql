-- Fails on: an anomaly whose counts are not silver.song_days's for that song and day, whose name
-- is not silver.song_names's, or that does not meet the method's own bar (30 plays, 7 to 14
-- baseline days, |score| >= 4, 10 points from the baseline; see sql/gold/README.md).
SELECT a.day, a.song_id, a.plays, d.plays AS plays_in_song_days, a.skips, d.skips AS skips_in_song_days, a.score
FROM gold.skip_rate_anomalies AS a
LEFT JOIN silver.song_days AS d ON d.song_id = a.song_id AND d.event_day = a.day
LEFT JOIN silver.song_names AS n ON n.song_id = a.song_id
WHERE d.song_id IS NULL
   OR n.song_id IS NULL
   OR a.plays <> d.plays
   OR a.skips <> d.skips
   OR a.song_name <> n.song_name
   OR a.artist_name <> n.artist_name
   OR a.plays < 30
   OR a.baseline_days < 7
   OR a.baseline_days > 14
   OR ABS(a.skip_rate - CAST(a.skips AS DOUBLE) / a.plays) > 1e-9
   OR ABS(a.score) < 4
   OR ABS(a.skip_rate - a.baseline_skip_rate) < 0.1
