-- DuckDB only: the lake keys of the files to stage, in the order of load_files.
SET VARIABLE load_file_keys = ?
