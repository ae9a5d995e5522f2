-- Recomputes gold.user_engagement for the pending UTC days (those new events fell on), from all of silver's
-- events on those days (not only the new ones).
INSERT INTO gold.user_engagement (user_id, day, plays, skips, pauses, playlist_adds)
SELECT
    user_id,
    event_day AS day,
    COUNT_IF(event_type = 'play') AS plays,
    COUNT_IF(event_type = 'skip') AS skips,
    COUNT_IF(event_type = 'pause') AS pauses,
    COUNT_IF(event_type = 'add_to_playlist') AS playlist_adds
FROM silver.listening_events
WHERE event_day IN (SELECT event_day FROM silver.pending_days)
GROUP BY user_id, event_day
