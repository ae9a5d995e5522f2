-- Lines of lake files that do not meet the event contract, kept with the reason instead of dropped.
-- Grain: one row per file and line.
CREATE TABLE IF NOT EXISTS bronze.load_rejects (
    file_key VARCHAR NOT NULL,
    line_number BIGINT NOT NULL,
    raw_line VARCHAR,
    reason VARCHAR NOT NULL,
    rejected_at TIMESTAMP NOT NULL
)
