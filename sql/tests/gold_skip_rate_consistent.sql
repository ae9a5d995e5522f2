-- Fails on: a skip_rate that is negative, not total_skips / total_plays, NULL with plays, or set
-- without plays. No upper bound: skips can outnumber plays (see sql/gold/README.md).
SELECT song_id, total_plays, total_skips, skip_rate
FROM gold.skip_rate_by_song
WHERE total_plays < 0
   OR total_skips < 0
   OR (total_plays = 0 AND skip_rate IS NOT NULL)
   OR (total_plays > 0 AND skip_rate IS NULL)
   OR skip_rate < 0
   OR ABS(skip_rate - CAST(total_skips AS DOUBLE) / NULLIF(total_plays, 0)) > 1e-9
