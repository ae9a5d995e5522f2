-- The report's country_engagement section.
SELECT country, day, plays, skips, playlist_adds, unique_users
FROM gold.country_engagement
ORDER BY day, country
