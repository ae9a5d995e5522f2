-- DuckDB only: the rows of lake_rows that bronze will take, as loader/merge_staged_events.sql
-- chooses them on Snowflake: each event_id's first sighting (by file, then line), and only events
-- bronze does not have. Kept in memory, so that the per-file counts and the insert read one result
-- instead of each repeating the ranking and the anti-join. Copies are rare, so only the rows of
-- repeated event_ids are ranked: a window over every row sorts all of them.
CREATE OR REPLACE TEMP TABLE new_lake_rows AS
WITH not_in_bronze AS (
    -- rowid: the order lake_rows was read in, each file's lines in order (see stage_lake_files.sql).
    SELECT staged.*, staged.rowid AS read_order
    FROM lake_rows AS staged
    WHERE NOT EXISTS (SELECT 1 FROM bronze.listening_events AS target WHERE target.event_id = staged.event_id)
),
repeated_ids AS (
    SELECT event_id
    FROM not_in_bronze
    GROUP BY event_id
    HAVING COUNT(*) > 1
)
SELECT n.*
FROM not_in_bronze AS n
WHERE NOT EXISTS (SELECT 1 FROM repeated_ids AS r WHERE r.event_id = n.event_id)
UNION ALL
SELECT *
FROM (
    SELECT n.*
    FROM not_in_bronze AS n
    WHERE EXISTS (SELECT 1 FROM repeated_ids AS r WHERE r.event_id = n.event_id)
    QUALIFY ROW_NUMBER() OVER (PARTITION BY n.event_id ORDER BY n.source_file, n.read_order) = 1
) AS first_copies
