-- Removes gold.user_engagement's rows for the UTC days this run's new events fall on; the next file
-- recomputes those days from silver. Other days are left as they are.
DELETE FROM gold.user_engagement
WHERE day IN (SELECT DISTINCT event_day FROM silver.bronze_batch WHERE reject_reason IS NULL)
