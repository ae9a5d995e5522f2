-- Recomputes gold.country_engagement for the pending UTC days (those new events fell on), from all of silver's
-- events on those days (not only the new ones).
INSERT INTO gold.country_engagement (country, day, plays, skips, playlist_adds, unique_users)
SELECT
    country,
    event_day AS day,
    COUNT_IF(event_type = 'play') AS plays,
    COUNT_IF(event_type = 'skip') AS skips,
    COUNT_IF(event_type = 'add_to_playlist') AS playlist_adds,
    COUNT(DISTINCT user_id) AS unique_users
FROM silver.listening_events
WHERE event_day IN (SELECT event_day FROM silver.pending_days)
GROUP BY country, event_day
