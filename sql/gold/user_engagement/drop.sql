-- Full refresh only: gold.user_engagement is rebuilt for every day.
DROP TABLE IF EXISTS gold.user_engagement
