-- DuckDB only: how many lines each file read by stage_lake_files.sql held.
SELECT source_file, COUNT(*) AS staged_rows FROM lake_rows GROUP BY source_file
