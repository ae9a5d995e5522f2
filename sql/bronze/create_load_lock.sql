-- One row, updated first in every load transaction (loader/take_load_lock.sql): the row lock
-- serialises loads, so two loads can never stage or record the same file, whoever started them
-- (the scheduled run, a person's `spotify-pipeline load`). A load that waits longer than the
-- session's LOCK_TIMEOUT fails and is retried, instead of blocking for hours.
CREATE TABLE IF NOT EXISTS bronze.load_lock (
    lock_name VARCHAR NOT NULL,
    taken_by VARCHAR,
    taken_at TIMESTAMP
)
