-- Cohorts whose day 7 was not yet observable are recomputed too: the last day with events may
-- have moved past their day 1 or day 7 (their NULLs become counts).
INSERT INTO silver.pending_cohorts (cohort_day)
SELECT cohort_day
FROM gold.cohort_retention
WHERE day_7_retained IS NULL
