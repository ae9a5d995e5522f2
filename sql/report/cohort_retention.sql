-- The report's cohort_retention section.
SELECT cohort_day, cohort_size, day_1_retained, day_1_retention_rate, day_7_retained, day_7_retention_rate
FROM gold.cohort_retention
ORDER BY cohort_day
