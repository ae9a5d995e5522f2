-- gold.device_usage. Grain: one row per device_type with any event. device_event_pct is the
-- device's percent of all events (0 to 100, unrounded; the rows sum to 100).
CREATE TABLE IF NOT EXISTS gold.device_usage (
    device_type VARCHAR NOT NULL,
    total_events BIGINT NOT NULL,
    unique_users BIGINT NOT NULL,
    device_event_pct DOUBLE NOT NULL
)
