-- gold.user_retention. Grain: one row per user. Maintained from the (user, day) pairs each batch
-- shows for the first time (silver.user_days).
CREATE TABLE IF NOT EXISTS gold.user_retention (
    user_id VARCHAR NOT NULL,
    active_days BIGINT NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL
)
