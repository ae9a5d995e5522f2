-- Full refresh only: gold.hourly_event_volume is rebuilt for every hour.
DROP TABLE IF EXISTS gold.hourly_event_volume
