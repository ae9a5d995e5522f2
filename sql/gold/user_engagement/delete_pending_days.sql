-- Removes gold.user_engagement's rows for the pending UTC days (those new events fell on); the next file
-- recomputes those days from silver. Other days are left as they are.
DELETE FROM gold.user_engagement
WHERE day IN (SELECT event_day FROM silver.pending_days)
