-- Gold totals that must equal a count of silver: events per device (gold.device_usage) and plays
-- per song (gold.top_songs). One row per difference, with both numbers. Each side is one list of
-- (model, item, value), so that one comparison serves every total.
WITH gold_totals AS (
    SELECT 'gold.device_usage' AS model, device_type AS item, 'total_events' AS measure, total_events AS value
    FROM gold.device_usage
    UNION ALL
    SELECT 'gold.top_songs' AS model, song_id AS item, 'total_plays' AS measure, total_plays AS value
    FROM gold.top_songs
),
silver_totals AS (
    SELECT 'gold.device_usage' AS model, device_type AS item, 'total_events' AS measure, COUNT(*) AS value
    FROM silver.listening_events
    GROUP BY device_type
    UNION ALL
    SELECT 'gold.top_songs' AS model, song_id AS item, 'total_plays' AS measure,
        COUNT_IF(event_type = 'play') AS value
    FROM silver.listening_events
    GROUP BY song_id
)
SELECT
    COALESCE(g.model, s.model) AS model,
    COALESCE(g.item, s.item) AS item,
    COALESCE(g.measure, s.measure) AS measure,
    COALESCE(g.value, 0) AS gold_value,
    COALESCE(s.value, 0) AS silver_value
FROM gold_totals AS g
FULL OUTER JOIN silver_totals AS s ON s.model = g.model AND s.item = g.item
WHERE COALESCE(g.value, 0) <> COALESCE(s.value, 0)
ORDER BY model, item
