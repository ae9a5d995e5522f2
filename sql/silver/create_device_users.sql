-- silver.device_users. Grain: one row per (device type, user who used it). The state of
-- gold.device_usage's unique_users: a batch adds the pairs it is the first to show.
CREATE TABLE IF NOT EXISTS silver.device_users (
    device_type VARCHAR NOT NULL,
    user_id VARCHAR NOT NULL
)
