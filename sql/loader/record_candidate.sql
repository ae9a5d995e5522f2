-- The files a load run found and is about to load (array binding: one request for all of them).
INSERT INTO bronze.load_candidates (load_run_id, file_key) VALUES (?, ?)
