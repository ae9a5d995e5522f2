-- Cohorts whose day 7 was not yet complete are recomputed too: a later day may now have events,
-- completing their day 1 or day 7 (their NULLs become counts).
INSERT INTO silver.pending_cohorts (cohort_day)
SELECT cohort_day
FROM gold.cohort_retention
WHERE day_7_retained IS NULL
