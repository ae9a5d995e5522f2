-- Lines of lake files that do not meet the contract, each with its reason: run once per line, all
-- of a transaction's lines in as few requests as the driver allows (array binding; see
-- record_loaded_file.sql for why rejected_at is bound, the load's UTC time).
INSERT INTO bronze.load_rejects (file_key, line_number, raw_line, reason, rejected_at)
VALUES (?, ?, ?, ?, ?)
