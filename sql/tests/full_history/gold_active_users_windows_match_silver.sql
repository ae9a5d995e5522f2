-- Fails on: a day whose weekly or monthly actives in gold.active_users differ from a fresh count
-- over the events of silver.listening_events, or a day present on one side only. Guards the
-- incremental (windows of pending days only) maintenance and the state it reads, silver.user_days.
WITH user_days AS (
    SELECT DISTINCT user_id, event_day
    FROM silver.listening_events
),
days AS (
    SELECT DISTINCT event_day AS day
    FROM user_days
),
fresh AS (
    SELECT
        d.day,
        COUNT(DISTINCT CASE WHEN u.event_day > d.day - 7 THEN u.user_id END) AS weekly_active_users,
        COUNT(DISTINCT u.user_id) AS monthly_active_users
    FROM days AS d
    INNER JOIN user_days AS u ON u.event_day > d.day - 28 AND u.event_day <= d.day
    GROUP BY d.day
)
SELECT
    COALESCE(f.day, g.day) AS day,
    f.weekly_active_users AS expected_weekly,
    g.weekly_active_users AS weekly_in_gold,
    f.monthly_active_users AS expected_monthly,
    g.monthly_active_users AS monthly_in_gold
FROM fresh AS f
FULL OUTER JOIN gold.active_users AS g ON g.day = f.day
WHERE f.day IS NULL
   OR g.day IS NULL
   OR f.weekly_active_users <> g.weekly_active_users
   OR f.monthly_active_users <> g.monthly_active_users
