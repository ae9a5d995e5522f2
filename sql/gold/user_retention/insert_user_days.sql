-- The new (user, day) pairs join silver.user_days, in day order (see create_user_days.sql).
INSERT INTO silver.user_days (user_id, event_day)
SELECT user_id, event_day
FROM silver.new_user_days
ORDER BY event_day, user_id
