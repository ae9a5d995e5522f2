-- gold.top_songs. Grain: one row per song_id with any event. Ranked by total_plays (descending,
-- then song_id) when read; the report reads it in that order. Names from silver.song_names.
CREATE TABLE IF NOT EXISTS gold.top_songs (
    song_id VARCHAR NOT NULL,
    song_name VARCHAR NOT NULL,
    artist_name VARCHAR NOT NULL,
    total_plays BIGINT NOT NULL,
    total_skips BIGINT NOT NULL
)
