-- DuckDB only: how many lines each file read by insert_lake_files.sql held (before any copy is removed).
SELECT source_file, COUNT(*) AS staged_rows
FROM bronze.listening_events
WHERE loaded_at = getvariable('load_stamp')
GROUP BY source_file
