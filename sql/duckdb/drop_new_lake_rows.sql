-- DuckDB only: frees the memory of a chunk's new lake rows.
DROP TABLE IF EXISTS new_lake_rows
