-- The report's hourly_event_volume section.
SELECT hour, events, plays, pauses, skips, playlist_adds, unique_users
FROM gold.hourly_event_volume
ORDER BY hour
