-- gold.hourly_event_volume. Grain: one row per UTC hour with events; hour is its start, UTC.
CREATE TABLE IF NOT EXISTS gold.hourly_event_volume (
    hour TIMESTAMP_NTZ NOT NULL,
    events BIGINT NOT NULL,
    plays BIGINT NOT NULL,
    pauses BIGINT NOT NULL,
    skips BIGINT NOT NULL,
    playlist_adds BIGINT NOT NULL,
    unique_users BIGINT NOT NULL
)
