-- DuckDB only: the lake keys of the downloaded files, the file saved as <load_folder>/<n> at position n.
SET VARIABLE load_file_keys = ?
