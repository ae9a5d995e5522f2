-- silver.key_match_days. The UTC days on which a key of the batch being processed matched the key
-- of an event already in silver (silver/stage_key_match_days.sql): the only days silver is read on
-- to find the batch's duplicates. Empty outside the silver.listening_events step.
CREATE TABLE IF NOT EXISTS silver.key_match_days (
    event_day DATE NOT NULL
)
