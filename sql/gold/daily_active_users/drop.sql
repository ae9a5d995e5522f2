-- Full refresh only: gold.daily_active_users is rebuilt for every day.
DROP TABLE IF EXISTS gold.daily_active_users
