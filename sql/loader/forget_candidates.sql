-- When a run ends: its candidate files are loaded or reported. Bound: the run id.
DELETE FROM bronze.load_candidates WHERE load_run_id = ?
