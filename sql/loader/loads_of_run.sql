-- How many load transactions this run has committed: the next one's load_id is the run id, '/',
-- and one more. Read after the load lock is taken, so no other load can take the same number.
SELECT COUNT(*) AS loads FROM bronze.loads WHERE run_id = ?
