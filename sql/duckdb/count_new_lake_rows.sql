-- DuckDB only: per file and UTC day, the rows new_lake_rows adds to bronze (as
-- loader/count_new_rows_by_file.sql counts them on Snowflake).
SELECT source_file, SUBSTR(event_timestamp, 1, 10) AS event_day, COUNT(*) AS new_rows
FROM new_lake_rows
GROUP BY source_file, SUBSTR(event_timestamp, 1, 10)
