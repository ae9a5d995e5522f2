-- DuckDB only: frees the memory of a chunk's lake rows.
DROP TABLE IF EXISTS lake_rows
