-- silver.event_keys. Grain: one row per silver.listening_events row: its event_id's HASH and its
-- UTC day. Checking a batch's ids against history reads this narrow column of numbers and then
-- only the days where a hash matched, instead of every 36-character event_id of silver.
CREATE TABLE IF NOT EXISTS silver.event_keys (
    event_hash DECIMAL(20, 0) NOT NULL,
    event_day DATE NOT NULL
)
