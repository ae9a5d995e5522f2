-- DuckDB only: the local copies of the files to stage, for insert_lake_files.sql.
SET VARIABLE load_files = ?
