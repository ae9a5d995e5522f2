-- The cohorts gold.cohort_retention must recompute, before the users' first days move: the cohort
-- each user with a new day is in now (its day 1 or day 7 may have just happened, or the user may
-- leave it for an earlier one), and the earliest new day, the cohort such a user may join.
INSERT INTO silver.pending_cohorts (cohort_day)
SELECT r.first_seen
FROM gold.user_retention AS r
WHERE r.user_id IN (SELECT user_id FROM silver.new_user_days)
UNION ALL
SELECT MIN(event_day)
FROM silver.new_user_days
GROUP BY user_id
