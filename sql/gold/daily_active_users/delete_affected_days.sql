-- Removes gold.daily_active_users's rows for the UTC days this run's new events fall on; the next file
-- recomputes those days from silver. Other days are left as they are.
DELETE FROM gold.daily_active_users
WHERE day IN (SELECT DISTINCT event_day FROM silver.bronze_batch WHERE reject_reason IS NULL)
