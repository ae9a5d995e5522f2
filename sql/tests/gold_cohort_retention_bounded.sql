-- Fails on: a cohort that retains more users than it has, a rate outside 0 to 1, or a cohort whose
-- size disagrees with gold.user_retention.
WITH first_days AS (
    SELECT first_seen AS cohort_day, COUNT(*) AS users
    FROM gold.user_retention
    GROUP BY first_seen
)
SELECT c.cohort_day, c.cohort_size, f.users AS users_first_seen_that_day, c.day_1_retained, c.day_7_retained
FROM gold.cohort_retention AS c
LEFT JOIN first_days AS f ON f.cohort_day = c.cohort_day
WHERE f.users IS NULL
   OR c.cohort_size <> f.users
   OR c.day_1_retained > c.cohort_size
   OR c.day_7_retained > c.cohort_size
   OR c.day_1_retention_rate < 0 OR c.day_1_retention_rate > 1
   OR c.day_7_retention_rate < 0 OR c.day_7_retention_rate > 1
