-- gold.cohort_retention for the pending cohort days. Grain: one row per cohort_day (users grouped
-- by their first active UTC day, gold.user_retention.first_seen). Day-N retained: cohort members
-- active on cohort_day + N (silver.user_days). Both are NULL until cohort_day + N is complete: a
-- later UTC day has events. A day still in progress would count only the members seen so far, and
-- not yet observable is not the same as zero.
INSERT INTO gold.cohort_retention (
    cohort_day, cohort_size, day_1_retained, day_1_retention_rate, day_7_retained, day_7_retention_rate
)
WITH last_observed AS (
    -- Every day before this one is complete.
    SELECT MAX(last_seen) AS last_day
    FROM gold.user_retention
),
members AS (
    SELECT r.user_id, r.first_seen
    FROM gold.user_retention AS r
    WHERE r.first_seen IN (SELECT cohort_day FROM silver.pending_cohorts)
),
-- Joins on equalities a hash join serves, and whose day range lets the scan skip other days.
cohort_activity AS (
    SELECT
        m.first_seen AS cohort_day,
        COUNT(*) AS cohort_size,
        COUNT(day_1.user_id) AS active_on_day_1,
        COUNT(day_7.user_id) AS active_on_day_7
    FROM members AS m
    LEFT JOIN silver.user_days AS day_1
        ON day_1.user_id = m.user_id AND day_1.event_day = m.first_seen + 1
    LEFT JOIN silver.user_days AS day_7
        ON day_7.user_id = m.user_id AND day_7.event_day = m.first_seen + 7
    GROUP BY m.first_seen
)
SELECT
    c.cohort_day,
    c.cohort_size,
    CASE WHEN c.cohort_day + 1 < o.last_day THEN c.active_on_day_1 END AS day_1_retained,
    CASE
        WHEN c.cohort_day + 1 < o.last_day THEN CAST(c.active_on_day_1 AS DOUBLE) / c.cohort_size
    END AS day_1_retention_rate,
    CASE WHEN c.cohort_day + 7 < o.last_day THEN c.active_on_day_7 END AS day_7_retained,
    CASE
        WHEN c.cohort_day + 7 < o.last_day THEN CAST(c.active_on_day_7 AS DOUBLE) / c.cohort_size
    END AS day_7_retention_rate
FROM cohort_activity AS c
CROSS JOIN last_observed AS o
