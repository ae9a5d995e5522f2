-- The pending cohorts' rows go; insert_pending_cohorts.sql writes them again (a cohort every user
-- has left for an earlier one is not written again).
DELETE FROM gold.cohort_retention
WHERE cohort_day IN (SELECT cohort_day FROM silver.pending_cohorts)
