-- gold.active_users for the days whose windows hold a pending day. Grain: one row per UTC day with
-- events (gold.daily_active_users, which has already recomputed the pending days). Weekly and
-- monthly actives: distinct users with an event in the 7 and the 28 UTC days ending that day, from
-- silver.user_days (one row per user and day with events). Stickiness: DAU / MAU.
INSERT INTO gold.active_users (day, daily_active_users, weekly_active_users, monthly_active_users, stickiness)
WITH affected_days AS (
    SELECT DISTINCT d.day, d.daily_active_users
    FROM gold.daily_active_users AS d
    INNER JOIN silver.pending_days AS p ON d.day >= p.event_day AND d.day <= p.event_day + 27
),
windows AS (
    SELECT
        a.day,
        COUNT(DISTINCT CASE WHEN u.event_day > a.day - 7 THEN u.user_id END) AS weekly_active_users,
        COUNT(DISTINCT u.user_id) AS monthly_active_users
    FROM affected_days AS a
    INNER JOIN silver.user_days AS u ON u.event_day > a.day - 28 AND u.event_day <= a.day
    GROUP BY a.day
)
SELECT
    a.day,
    a.daily_active_users,
    w.weekly_active_users,
    w.monthly_active_users,
    CAST(a.daily_active_users AS DOUBLE) / w.monthly_active_users AS stickiness
FROM affected_days AS a
INNER JOIN windows AS w ON w.day = a.day
