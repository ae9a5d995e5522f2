-- gold.daily_active_users. Grain: one row per UTC day with events.
CREATE TABLE IF NOT EXISTS gold.daily_active_users (
    day DATE NOT NULL,
    daily_active_users BIGINT NOT NULL
)
