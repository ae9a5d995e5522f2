-- Snowflake only, run on every connection: the session's clock in UTC. bronze.listening_events
-- gets loaded_at from CURRENT_TIMESTAMP (loader/merge_staged_events.sql), a TIMESTAMP_NTZ, which
-- takes the wall clock of the session's time zone: America/Los_Angeles unless the account says
-- otherwise. When that clock falls back an hour in November, loaded_at would go back an hour too,
-- and a later load's copy of an event could look earlier than the first (silver keeps the copy
-- with the earliest loaded_at). In UTC the wall clock never goes back.
ALTER SESSION SET TIMEZONE = 'UTC'
