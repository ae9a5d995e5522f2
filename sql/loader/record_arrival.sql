-- The arrival manifests a load has dealt with (array binding), after the files they list: a
-- manifest is recorded only once all its files are in the ledger or left out with a reason.
INSERT INTO bronze.load_arrivals (manifest_key, arrived_at, objects_listed, problem, recorded_at)
VALUES (?, ?, ?, ?, ?)
