-- gold.top_songs. Grain: one row per song_id with any event. Ranked by total_plays (descending,
-- then song_id) when read; the report reads it in that order. Names from silver.song_names.
-- Rebuilt in full: a song's totals span all days.
CREATE OR REPLACE TABLE gold.top_songs AS
SELECT
    e.song_id,
    n.song_name,
    n.artist_name,
    COUNT_IF(e.event_type = 'play') AS total_plays,
    COUNT_IF(e.event_type = 'skip') AS total_skips
FROM silver.listening_events AS e
INNER JOIN silver.song_names AS n ON n.song_id = e.song_id
GROUP BY e.song_id, n.song_name, n.artist_name
