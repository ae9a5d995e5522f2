-- silver.bronze_batch_bounds: one row, the bronze loaded_at range this run processes. Replaced on
-- every run; silver.bronze_batch and the silver inserts read it, so every statement of the run
-- sees the same range even after silver has grown (the watermark is read from silver itself).
--
-- Which rows are new: bronze is append-only (the loader inserts a row once and never updates it),
-- so the rows loaded after the newest loaded_at already in silver or rejected_events
-- (processed_through) are new. Rows loaded at exactly that instant are new only if bronze holds
-- more of them than silver processed (watermark_has_new_rows); then, and only then, they are
-- compared by (event_id, source_file) in silver.bronze_batch. (A load shares one loaded_at for all
-- its rows: comparing them unconditionally made every hourly run join all of the last big load's
-- rows.) loaded_through is the newest bronze row now: a load that commits during the run waits for
-- the next run instead of reaching silver unchecked.
CREATE OR REPLACE TABLE silver.bronze_batch_bounds AS
WITH processed AS (
    SELECT loaded_at FROM silver.listening_events
    UNION ALL
    SELECT loaded_at FROM silver.rejected_events
),
-- Before the first run, a time earlier than any load.
watermark AS (
    SELECT COALESCE(MAX(loaded_at), CAST('1970-01-01 00:00:00' AS TIMESTAMP_NTZ)) AS processed_through
    FROM processed
),
bronze_rows_at_watermark AS (
    SELECT COUNT(*) AS row_count
    FROM bronze.listening_events AS b
    INNER JOIN watermark AS w ON b.loaded_at = w.processed_through
),
processed_rows_at_watermark AS (
    SELECT COUNT(*) AS row_count
    FROM processed AS p
    INNER JOIN watermark AS w ON p.loaded_at = w.processed_through
),
bronze_newest AS (
    SELECT MAX(loaded_at) AS loaded_at FROM bronze.listening_events
)
SELECT
    w.processed_through,
    b.row_count > p.row_count AS watermark_has_new_rows,
    COALESCE(n.loaded_at, w.processed_through) AS loaded_through
FROM watermark AS w
CROSS JOIN bronze_rows_at_watermark AS b
CROSS JOIN processed_rows_at_watermark AS p
CROSS JOIN bronze_newest AS n
