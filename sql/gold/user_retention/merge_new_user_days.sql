-- gold.user_retention from the new (user, day) pairs: each user's active days grow by its new days,
-- and its first and last days widen to them; a user seen for the first time gets a row.
MERGE INTO gold.user_retention AS r
USING (
    SELECT user_id, COUNT(*) AS new_days, MIN(event_day) AS first_new_day, MAX(event_day) AS last_new_day
    FROM silver.new_user_days
    GROUP BY user_id
) AS b
ON r.user_id = b.user_id
WHEN MATCHED THEN UPDATE SET
    active_days = r.active_days + b.new_days,
    first_seen = LEAST(r.first_seen, b.first_new_day),
    last_seen = GREATEST(r.last_seen, b.last_new_day)
WHEN NOT MATCHED THEN INSERT (user_id, active_days, first_seen, last_seen)
    VALUES (b.user_id, b.new_days, b.first_new_day, b.last_new_day)
