-- Gold totals that must equal a count of silver: events per device (gold.device_usage) and plays
-- per song (gold.top_songs). One row per difference, with both numbers.
WITH silver_devices AS (
    SELECT device_type, COUNT(*) AS events
    FROM silver.listening_events
    GROUP BY device_type
),
silver_songs AS (
    SELECT song_id, COUNT_IF(event_type = 'play') AS plays
    FROM silver.listening_events
    GROUP BY song_id
)
SELECT
    'gold.device_usage' AS model,
    COALESCE(g.device_type, s.device_type) AS item,
    'total_events' AS measure,
    COALESCE(g.total_events, 0) AS gold_value,
    COALESCE(s.events, 0) AS silver_value
FROM gold.device_usage AS g
FULL OUTER JOIN silver_devices AS s ON s.device_type = g.device_type
WHERE COALESCE(g.total_events, 0) <> COALESCE(s.events, 0)
UNION ALL
SELECT
    'gold.top_songs' AS model,
    COALESCE(g.song_id, s.song_id) AS item,
    'total_plays' AS measure,
    COALESCE(g.total_plays, 0) AS gold_value,
    COALESCE(s.plays, 0) AS silver_value
FROM gold.top_songs AS g
FULL OUTER JOIN silver_songs AS s ON s.song_id = g.song_id
WHERE COALESCE(g.total_plays, 0) <> COALESCE(s.plays, 0)
ORDER BY model, item
