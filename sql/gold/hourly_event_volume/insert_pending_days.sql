-- Recomputes gold.hourly_event_volume for every hour of the pending UTC days, from all of silver's
-- events on those days (not only the new ones): an hour's distinct users cannot be added up.
INSERT INTO gold.hourly_event_volume (hour, events, plays, pauses, skips, playlist_adds, unique_users)
SELECT
    DATE_TRUNC('HOUR', event_ts) AS hour,
    COUNT(*) AS events,
    COUNT_IF(event_type = 'play') AS plays,
    COUNT_IF(event_type = 'pause') AS pauses,
    COUNT_IF(event_type = 'skip') AS skips,
    COUNT_IF(event_type = 'add_to_playlist') AS playlist_adds,
    COUNT(DISTINCT user_id) AS unique_users
FROM silver.listening_events
WHERE event_day IN (SELECT event_day FROM silver.pending_days)
GROUP BY DATE_TRUNC('HOUR', event_ts)
