-- The (device, user) pairs the batches it has not folded show for the first time, once counted.
INSERT INTO silver.device_users (device_type, user_id)
SELECT DISTINCT e.device_type, e.user_id
FROM silver.listening_events AS e
WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.device_usage'))
  AND NOT EXISTS (
      SELECT 1 FROM silver.device_users AS d WHERE d.device_type = e.device_type AND d.user_id = e.user_id
  )
