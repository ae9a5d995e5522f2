-- The files of the ledger whose keys fall in [?, ?): the loader skips them.
SELECT file_key FROM bronze.load_ledger WHERE file_key >= ? AND file_key < ?
