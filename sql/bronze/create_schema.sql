-- The bronze layer: events as the lake holds them, one row per event_id, plus the load ledger.
CREATE SCHEMA IF NOT EXISTS bronze
