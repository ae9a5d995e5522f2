-- silver.event_keys. Grain: one row per silver.listening_events row: its event key and its UTC
-- day. The key is the event_id's HASH folded into a BIGINT (the same expression wherever a key is
-- computed: CAST(HASH(event_id) % 4611686018427387904 AS BIGINT)). Checking a batch's ids against
-- history reads this narrow column of numbers, then silver only on the days where a key matched,
-- instead of every 36-character event_id of silver. Keys can collide: a match is confirmed on the
-- ids themselves.
CREATE TABLE IF NOT EXISTS silver.event_keys (
    event_key BIGINT NOT NULL,
    event_day DATE NOT NULL
)
