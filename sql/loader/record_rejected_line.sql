-- A line of a lake file that does not meet the contract, with the reason.
INSERT INTO bronze.load_rejects (file_key, line_number, raw_line, reason, rejected_at)
VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)
