-- Recomputes gold.daily_active_users for the pending UTC days (those new events fell on), from all of silver's
-- events on those days (not only the new ones).
INSERT INTO gold.daily_active_users (day, daily_active_users)
SELECT
    event_day AS day,
    COUNT(DISTINCT user_id) AS daily_active_users
FROM silver.listening_events
WHERE event_day IN (SELECT event_day FROM silver.pending_days)
GROUP BY event_day
