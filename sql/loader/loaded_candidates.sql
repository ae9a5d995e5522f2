-- Of the files this run found, those the ledger already has: loaded by an earlier run, a backfill,
-- or a load that committed while this one waited for the lock. Bound: the run id.
SELECT c.file_key
FROM bronze.load_candidates AS c
INNER JOIN bronze.load_ledger AS l ON l.file_key = c.file_key
WHERE c.load_run_id = ?
