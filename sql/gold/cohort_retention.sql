-- gold.cohort_retention. Grain: one row per cohort_day (users grouped by their first active UTC
-- day). Day-N retained: cohort members active on cohort_day + N. Both are NULL while cohort_day + N
-- is after the last day with any event: not yet observable is not the same as zero. Rebuilt in
-- full: a late event can move a user into an earlier cohort.
CREATE OR REPLACE TABLE gold.cohort_retention AS
WITH last_observed AS (
    SELECT MAX(event_day) AS last_day
    FROM silver.listening_events
),
-- One row per user and active day: the joins below are then equalities a hash join serves (a join
-- on "day IN (first_seen + 1, first_seen + 7)" made DuckDB compare every pair: 45 s for a million events).
user_days AS (
    SELECT DISTINCT user_id, event_day
    FROM silver.listening_events
),
cohort_activity AS (
    SELECT
        r.first_seen AS cohort_day,
        COUNT(*) AS cohort_size,
        COUNT(day_1.user_id) AS active_on_day_1,
        COUNT(day_7.user_id) AS active_on_day_7
    FROM gold.user_retention AS r
    LEFT JOIN user_days AS day_1
        ON day_1.user_id = r.user_id AND day_1.event_day = r.first_seen + 1
    LEFT JOIN user_days AS day_7
        ON day_7.user_id = r.user_id AND day_7.event_day = r.first_seen + 7
    GROUP BY r.first_seen
)
SELECT
    c.cohort_day,
    c.cohort_size,
    CASE WHEN c.cohort_day + 1 <= o.last_day THEN c.active_on_day_1 END AS day_1_retained,
    CASE
        WHEN c.cohort_day + 1 <= o.last_day THEN CAST(c.active_on_day_1 AS DOUBLE) / c.cohort_size
    END AS day_1_retention_rate,
    CASE WHEN c.cohort_day + 7 <= o.last_day THEN c.active_on_day_7 END AS day_7_retained,
    CASE
        WHEN c.cohort_day + 7 <= o.last_day THEN CAST(c.active_on_day_7 AS DOUBLE) / c.cohort_size
    END AS day_7_retention_rate
FROM cohort_activity AS c
CROSS JOIN last_observed AS o
