-- The unfolded batches' plays and skips, added to their songs' days.
MERGE INTO silver.song_days AS t
USING (
    SELECT
        e.song_id,
        e.event_day,
        COUNT_IF(e.event_type = 'play') AS plays,
        COUNT_IF(e.event_type = 'skip') AS skips
    FROM silver.listening_events AS e
    WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.skip_rate_anomalies'))
      AND e.event_type IN ('play', 'skip')
    GROUP BY e.song_id, e.event_day
) AS b
ON t.song_id = b.song_id AND t.event_day = b.event_day
WHEN MATCHED THEN UPDATE SET plays = t.plays + b.plays, skips = t.skips + b.skips
WHEN NOT MATCHED THEN INSERT (song_id, event_day, plays, skips) VALUES (b.song_id, b.event_day, b.plays, b.skips)
