-- gold.user_engagement. Grain: one row per user and UTC day on which the user had events.
CREATE TABLE IF NOT EXISTS gold.user_engagement (
    user_id VARCHAR NOT NULL,
    day DATE NOT NULL,
    plays BIGINT NOT NULL,
    skips BIGINT NOT NULL,
    pauses BIGINT NOT NULL,
    playlist_adds BIGINT NOT NULL
)
