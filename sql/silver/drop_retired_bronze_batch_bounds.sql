-- The watermark tables of earlier versions (silver.bronze_batch_bounds, replaced by silver.batch_loads).
DROP TABLE IF EXISTS silver.bronze_batch_bounds
