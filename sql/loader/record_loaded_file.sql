-- The ledger entry of one loaded file, written in the same transaction as its rows.
INSERT INTO bronze.load_ledger (file_key, hour_prefix, rows_in_file, rows_inserted, loaded_at)
VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)
