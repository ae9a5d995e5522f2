-- The report's user_retention section.
SELECT user_id, active_days, first_seen, last_seen FROM gold.user_retention ORDER BY first_seen, user_id
