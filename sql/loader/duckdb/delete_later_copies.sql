-- DuckDB only: of the rows insert_lake_files.sql added, removes those bronze must not keep, so that
-- bronze ends as loader/merge_staged_events.sql leaves it on Snowflake: one row per event_id, its
-- first sighting (by file, then line). Removed are the added rows of event_ids bronze held before
-- this load, and every added copy after the first of an event_id the load brought more than once.
-- Copies are rare, so each step narrows first: ids are grouped by hash before by text, and only
-- the rows of repeated ids are ranked. The older rows are matched by an uncorrelated IN, which
-- DuckDB runs as one hash join, rather than by a correlated EXISTS it would have to decorrelate.
DELETE FROM bronze.listening_events
WHERE rowid IN (
    WITH added AS (
        SELECT rowid AS row_id, event_id, source_file
        FROM bronze.listening_events
        WHERE loaded_at = getvariable('load_stamp')
    ),
    held_before AS (
        SELECT row_id, event_id
        FROM added
        WHERE event_id IN (
            SELECT event_id FROM bronze.listening_events WHERE loaded_at < getvariable('load_stamp')
        )
    ),
    repeated_hashes AS (
        SELECT HASH(event_id) AS id_hash
        FROM added
        GROUP BY HASH(event_id)
        HAVING COUNT(*) > 1
    ),
    repeated_ids AS (
        SELECT event_id
        FROM added
        WHERE HASH(event_id) IN (SELECT id_hash FROM repeated_hashes)
        GROUP BY event_id
        HAVING COUNT(*) > 1
    )
    SELECT row_id FROM held_before
    UNION ALL
    SELECT row_id
    FROM added
    WHERE event_id IN (
        SELECT event_id FROM repeated_ids WHERE event_id NOT IN (SELECT event_id FROM held_before)
    )
    QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY source_file, row_id) > 1
)
