-- DuckDB only: the local folder the loader downloads lake files into, each named by its position in
-- getvariable('load_file_keys'), so that insert_lake_files.sql finds a row's lake key from its path.
SET VARIABLE load_folder = ?
