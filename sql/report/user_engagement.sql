-- The report's user_engagement section.
SELECT user_id, day, plays, skips, pauses, playlist_adds
FROM gold.user_engagement
ORDER BY day, user_id
