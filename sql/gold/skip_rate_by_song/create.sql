-- gold.skip_rate_by_song. Grain: one row per song_id with any event. skip_rate = total_skips /
-- total_plays, unrounded, NULL when the song has no plays. It can exceed 1 (a skip whose play was
-- refused by silver or fell outside the data).
CREATE TABLE IF NOT EXISTS gold.skip_rate_by_song (
    song_id VARCHAR NOT NULL,
    song_name VARCHAR NOT NULL,
    artist_name VARCHAR NOT NULL,
    total_plays BIGINT NOT NULL,
    total_skips BIGINT NOT NULL,
    skip_rate DOUBLE
)
