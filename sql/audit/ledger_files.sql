-- Every lake file the loader recorded, with the lines it found in it: checked against the lake.
SELECT file_key, rows_in_file FROM bronze.load_ledger ORDER BY file_key
