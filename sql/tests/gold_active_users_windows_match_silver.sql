-- Fails on: a day whose window holds a day this batch touched (that day and the 27 after it) where
-- gold.active_users's weekly or monthly actives differ from a fresh count over silver.user_days,
-- or a day present on one side only. Every ? is the batch id;
-- tests/full_history/gold_active_users_windows_match_silver.sql counts from the events themselves.
WITH batch_days AS (
    SELECT DISTINCT event_day
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
-- The days with events (one row each in gold.daily_active_users, which
-- gold_active_users_consistent.sql holds to the same days) whose windows hold a batch day.
checked_days AS (
    SELECT DISTINCT d.day
    FROM gold.daily_active_users AS d
    INNER JOIN batch_days AS b ON d.day >= b.event_day AND d.day <= b.event_day + 27
),
fresh AS (
    SELECT
        c.day,
        COUNT(DISTINCT CASE WHEN u.event_day > c.day - 7 THEN u.user_id END) AS weekly_active_users,
        COUNT(DISTINCT u.user_id) AS monthly_active_users
    FROM checked_days AS c
    INNER JOIN silver.user_days AS u ON u.event_day > c.day - 28 AND u.event_day <= c.day
    GROUP BY c.day
),
in_gold AS (
    SELECT day, weekly_active_users, monthly_active_users
    FROM gold.active_users
    WHERE day IN (SELECT day FROM checked_days)
)
SELECT
    COALESCE(f.day, g.day) AS day,
    f.weekly_active_users AS expected_weekly,
    g.weekly_active_users AS weekly_in_gold,
    f.monthly_active_users AS expected_monthly,
    g.monthly_active_users AS monthly_in_gold
FROM fresh AS f
FULL OUTER JOIN in_gold AS g ON g.day = f.day
WHERE f.day IS NULL
   OR g.day IS NULL
   OR f.weekly_active_users <> g.weekly_active_users
   OR f.monthly_active_users <> g.monthly_active_users
