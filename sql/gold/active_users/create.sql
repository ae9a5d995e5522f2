-- gold.active_users. Grain: one row per UTC day with events. See insert_pending_windows.sql.
CREATE TABLE IF NOT EXISTS gold.active_users (
    day DATE NOT NULL,
    daily_active_users BIGINT NOT NULL,
    weekly_active_users BIGINT NOT NULL,
    monthly_active_users BIGINT NOT NULL,
    stickiness DOUBLE NOT NULL
)
