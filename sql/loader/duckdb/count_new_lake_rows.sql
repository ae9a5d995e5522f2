-- DuckDB only: per file and UTC day, the rows this load added to bronze once delete_later_copies.sql
-- has run (as loader/count_new_rows_by_file.sql counts them on Snowflake).
SELECT source_file, SUBSTR(event_timestamp, 1, 10) AS event_day, COUNT(*) AS new_rows
FROM bronze.listening_events
WHERE loaded_at = getvariable('load_stamp')
GROUP BY source_file, SUBSTR(event_timestamp, 1, 10)
