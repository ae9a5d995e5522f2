-- DuckDB only: the local copies of the files to stage, for stage_lake_files.sql.
SET VARIABLE load_files = ?
