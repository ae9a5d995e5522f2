-- The (user, day) pairs of the batches gold.user_retention has not folded that no earlier batch
-- showed: the days that are new to each user.
INSERT INTO silver.new_user_days (user_id, event_day)
SELECT DISTINCT e.user_id, e.event_day
FROM silver.listening_events AS e
WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.user_retention'))
  AND NOT EXISTS (
      SELECT 1 FROM silver.user_days AS d WHERE d.user_id = e.user_id AND d.event_day = e.event_day
  )
