-- The report's active_users section.
SELECT day, daily_active_users, weekly_active_users, monthly_active_users, stickiness
FROM gold.active_users
ORDER BY day
