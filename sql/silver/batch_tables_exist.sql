-- Whether the tables pending_work.sql reads exist: bronze.loads (the loader made it) and silver's
-- batch_loads, pending_days and unfolded_batches (the first run's silver.setup made them).
SELECT
    COUNT(CASE WHEN LOWER(table_schema) = 'bronze' THEN 1 END) AS bronze_tables,
    COUNT(CASE WHEN LOWER(table_schema) = 'silver' THEN 1 END) AS silver_tables
FROM information_schema.tables
WHERE (LOWER(table_schema) = 'bronze' AND LOWER(table_name) = 'loads')
   OR (LOWER(table_schema) = 'silver' AND LOWER(table_name) IN ('batch_loads', 'pending_days', 'unfolded_batches'))
