-- The lock's one row, once. Two first loads at once may both insert it: the lock then spans two
-- rows, and every load updates both, which still serialises them.
INSERT INTO bronze.load_lock (lock_name, taken_by, taken_at)
SELECT 'load', NULL, NULL
WHERE NOT EXISTS (SELECT 1 FROM bronze.load_lock)
