-- Removes the rows of the start days whose sessions changed; the next file recomputes them.
DELETE FROM gold.listening_sessions
WHERE day IN (SELECT start_day FROM silver.pending_session_days)
