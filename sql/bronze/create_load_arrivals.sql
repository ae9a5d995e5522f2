-- Grain: one row per arrival manifest (arrivals/ in the lake) the loader has dealt with: every object
-- it lists is in the ledger, or was left out for the reason in `problem`. The newest arrived_at is
-- where the next load starts listing arrivals/ (less a grace period), so finding new files costs
-- what arrived since, not the lake's history.
CREATE TABLE IF NOT EXISTS bronze.load_arrivals (
    manifest_key VARCHAR NOT NULL,
    arrived_at TIMESTAMP NOT NULL,
    objects_listed BIGINT NOT NULL,
    -- NULL when every listed object was loaded; else what was left out and why.
    problem VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (manifest_key)
)
