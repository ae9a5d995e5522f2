-- How many lines each staged file held.
SELECT source_file, COUNT(*) AS staged_rows FROM bronze.load_staging GROUP BY source_file
