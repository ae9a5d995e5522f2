-- Full refresh only: gold.active_users is rebuilt for every day.
DROP TABLE IF EXISTS gold.active_users
