-- Fails on: a bronze row of this batch's loads that is neither in silver.listening_events nor in
-- silver.rejected_events, a row in both, or counts that do not add up. Rows are matched on
-- (event_id, source_file, loaded_at): a duplicate's copies differ in the file. Every ? is the batch
-- id; tests/full_history/silver_reconciles_with_bronze.sql checks every batch at once.
WITH bronze_rows AS (
    SELECT b.event_id, b.source_file, b.loaded_at
    FROM bronze.listening_events AS b
    WHERE COALESCE(b.load_id, 'before-load-ids') IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
accepted AS (
    SELECT event_id, source_file, loaded_at
    FROM silver.listening_events
    WHERE load_id IN (SELECT load_id FROM silver.batch_loads WHERE batch_id = ?)
),
-- Refused rows carry no load id: they are this batch's when their file and load time are.
rejected AS (
    SELECT r.event_id, r.source_file, r.loaded_at
    FROM silver.rejected_events AS r
    WHERE EXISTS (
        SELECT 1 FROM bronze_rows AS b WHERE b.source_file = r.source_file AND b.loaded_at = r.loaded_at
    )
),
counts AS (
    SELECT
        (SELECT COUNT(*) FROM bronze_rows) AS bronze_count,
        (SELECT COUNT(*) FROM accepted) AS accepted_count,
        (SELECT COUNT(*) FROM rejected) AS rejected_count
)
SELECT b.event_id, b.source_file, 'bronze row in neither silver nor rejected_events' AS problem
FROM bronze_rows AS b
WHERE NOT EXISTS (
        SELECT 1 FROM accepted AS a
        WHERE a.event_id = b.event_id AND a.source_file = b.source_file AND a.loaded_at = b.loaded_at
    )
  AND NOT EXISTS (
        SELECT 1 FROM rejected AS r
        WHERE r.event_id = b.event_id AND r.source_file = b.source_file AND r.loaded_at = b.loaded_at
    )
UNION ALL
SELECT a.event_id, a.source_file, 'row both in silver and in rejected_events' AS problem
FROM accepted AS a
INNER JOIN rejected AS r
    ON r.event_id = a.event_id AND r.source_file = a.source_file AND r.loaded_at = a.loaded_at
UNION ALL
SELECT
    NULL AS event_id,
    NULL AS source_file,
    'bronze has ' || CAST(bronze_count AS VARCHAR) || ' rows of this batch, silver ' || CAST(accepted_count AS VARCHAR)
        || ' and rejected_events ' || CAST(rejected_count AS VARCHAR) AS problem
FROM counts
WHERE bronze_count <> accepted_count + rejected_count
