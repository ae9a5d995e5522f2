-- Full refresh only: gold.country_engagement is rebuilt for every day.
DROP TABLE IF EXISTS gold.country_engagement
