-- The load transaction itself, in that transaction: its id, run, UTC time, files and new rows.
INSERT INTO bronze.loads (load_id, run_id, loaded_at, files_loaded, rows_inserted) VALUES (?, ?, ?, ?, ?)
