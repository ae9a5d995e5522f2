-- The report's daily_active_users section, oldest day first.
SELECT day, daily_active_users FROM gold.daily_active_users ORDER BY day
