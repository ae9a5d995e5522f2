-- DuckDB only: the rows of lake_rows that bronze will take, as loader/merge_staged_events.sql
-- chooses them on Snowflake: each event_id's first sighting (by file, then line), and only events
-- bronze does not have. Kept in memory, so that the per-file counts and the insert read one result
-- instead of each repeating the ranking and the anti-join.
CREATE OR REPLACE TEMP TABLE new_lake_rows AS
SELECT *
FROM lake_rows AS staged
WHERE NOT EXISTS (SELECT 1 FROM bronze.listening_events AS target WHERE target.event_id = staged.event_id)
QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY source_file, line_number) = 1
