-- silver.user_days. Grain: one row per (user, UTC day with an event of that user). The state
-- gold.user_retention and gold.cohort_retention are maintained from: a batch adds the pairs it is
-- the first to show. Appended in day order, so a lookup of recent days reads recent rows.
CREATE TABLE IF NOT EXISTS silver.user_days (
    user_id VARCHAR NOT NULL,
    event_day DATE NOT NULL
)
