-- Recomputes gold.user_engagement for the UTC days this run's new events fall on, from all of silver's
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
WHERE event_day IN (SELECT DISTINCT event_day FROM silver.bronze_batch WHERE reject_reason IS NULL)
GROUP BY user_id, event_day
