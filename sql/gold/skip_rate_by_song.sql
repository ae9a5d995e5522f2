-- gold.skip_rate_by_song. Grain: one row per song_id with any event. skip_rate = total_skips /
-- total_plays, unrounded, NULL when the song has no plays. It can exceed 1 (a skip whose play was
-- refused by silver or fell outside the data). Rebuilt in full from gold.top_songs.
CREATE OR REPLACE TABLE gold.skip_rate_by_song AS
SELECT
    song_id,
    song_name,
    artist_name,
    total_plays,
    total_skips,
    CAST(total_skips AS DOUBLE) / NULLIF(total_plays, 0) AS skip_rate
FROM gold.top_songs
