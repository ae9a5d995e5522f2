-- gold.country_engagement. Grain: one row per country and UTC day with events.
CREATE TABLE IF NOT EXISTS gold.country_engagement (
    country VARCHAR NOT NULL,
    day DATE NOT NULL,
    plays BIGINT NOT NULL,
    skips BIGINT NOT NULL,
    playlist_adds BIGINT NOT NULL,
    unique_users BIGINT NOT NULL
)
