-- The ledger entries of the loaded files, written in the same transaction as their rows: the
-- statement runs once per file, all of a transaction's files in one request (array binding). Only
-- placeholders, the form Snowflake's array binding is documented for: loaded_at is bound too, the
-- load's UTC time, where CURRENT_TIMESTAMP would be the session's time zone's wall clock.
INSERT INTO bronze.load_ledger (file_key, hour_prefix, rows_in_file, rows_inserted, loaded_at, load_id)
VALUES (?, ?, ?, ?, ?, ?)
