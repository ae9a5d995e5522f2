-- gold.device_usage's counts from the batches it has not folded: their events added to each
-- device's total, and their users never seen on that device (not in silver.device_users yet) to
-- its unique users. The shares are set after (update_shares.sql).
MERGE INTO gold.device_usage AS u
USING (
    WITH new_events AS (
        SELECT e.device_type, COUNT(*) AS events
        FROM silver.listening_events AS e
        WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.device_usage'))
        GROUP BY e.device_type
    ),
    new_users AS (
    SELECT DISTINCT e.device_type, e.user_id
    FROM silver.listening_events AS e
    WHERE e.load_id IN (SELECT c.load_id FROM silver.batch_loads AS c WHERE c.batch_id IN (SELECT u.batch_id FROM silver.unfolded_batches AS u) AND c.batch_id NOT IN (SELECT a.batch_id FROM silver.applied_batches AS a WHERE a.model = 'gold.device_usage'))
      AND NOT EXISTS (
          SELECT 1 FROM silver.device_users AS d WHERE d.device_type = e.device_type AND d.user_id = e.user_id
      )
    )
    SELECT n.device_type, n.events, COALESCE(f.users, 0) AS users
    FROM new_events AS n
    LEFT JOIN (SELECT device_type, COUNT(*) AS users FROM new_users GROUP BY device_type) AS f
        ON f.device_type = n.device_type
) AS b
ON u.device_type = b.device_type
WHEN MATCHED THEN UPDATE SET
    total_events = u.total_events + b.events,
    unique_users = u.unique_users + b.users
WHEN NOT MATCHED THEN INSERT (device_type, total_events, unique_users, device_event_pct)
    VALUES (b.device_type, b.events, b.users, 0)
