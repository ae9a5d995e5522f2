-- First statement of every load transaction: holds bronze.load_lock's row until the commit, so
-- load transactions run one at a time. Bound: the load id, and the load's UTC time.
UPDATE bronze.load_lock SET taken_by = ?, taken_at = ?
