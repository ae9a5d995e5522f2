-- Lake files whose bronze rows are not what the ledger says the load inserted from them: fewer (a
-- row deleted), more (a row added), or rows from a file the ledger never loaded. A row counts for
-- the file it first came from (source_file), as the loader records it.
WITH rows_by_file AS (
    SELECT source_file, COUNT(*) AS bronze_rows
    FROM bronze.listening_events
    GROUP BY source_file
)
SELECT
    COALESCE(l.file_key, r.source_file) AS file_key,
    COALESCE(l.rows_inserted, 0) AS ledger_rows,
    COALESCE(r.bronze_rows, 0) AS bronze_rows
FROM bronze.load_ledger AS l
FULL OUTER JOIN rows_by_file AS r ON r.source_file = l.file_key
WHERE COALESCE(l.rows_inserted, 0) <> COALESCE(r.bronze_rows, 0)
ORDER BY file_key
