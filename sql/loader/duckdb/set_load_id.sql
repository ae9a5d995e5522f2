-- DuckDB only: the load_id of this load transaction's rows (bronze.loads), for insert_lake_files.sql
-- and insert_staged_lines.sql.
SET VARIABLE load_id = ?
