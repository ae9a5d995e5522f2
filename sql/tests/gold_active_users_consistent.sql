-- Fails on: a day of gold.active_users whose actives are out of order (DAU <= WAU <= MAU), whose
-- stickiness is not DAU / MAU, or whose DAU is not gold.daily_active_users's; or a day with events
-- (a row of gold.daily_active_users) missing from it, or the other way round.
SELECT
    COALESCE(a.day, d.day) AS day,
    d.daily_active_users AS in_daily_active_users,
    a.daily_active_users,
    a.weekly_active_users,
    a.monthly_active_users,
    a.stickiness
FROM gold.active_users AS a
FULL OUTER JOIN gold.daily_active_users AS d ON d.day = a.day
WHERE a.day IS NULL
   OR d.day IS NULL
   OR a.daily_active_users <> d.daily_active_users
   OR a.daily_active_users < 1
   OR a.weekly_active_users < a.daily_active_users
   OR a.monthly_active_users < a.weekly_active_users
   OR ABS(a.stickiness - CAST(a.daily_active_users AS DOUBLE) / a.monthly_active_users) > 1e-9
