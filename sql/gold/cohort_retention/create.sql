-- gold.cohort_retention. Grain: one row per cohort day. See insert_pending_cohorts.sql.
CREATE TABLE IF NOT EXISTS gold.cohort_retention (
    cohort_day DATE NOT NULL,
    cohort_size BIGINT NOT NULL,
    day_1_retained BIGINT,
    day_1_retention_rate DOUBLE,
    day_7_retained BIGINT,
    day_7_retention_rate DOUBLE
)
