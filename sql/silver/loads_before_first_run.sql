-- Before the first run has set silver up: every load bronze holds is unclaimed, so the oldest of
-- them is the oldest gold does not reflect (NULL when bronze holds none).
SELECT COUNT(*) AS loads, MIN(loaded_at) AS oldest_pending_load_at FROM bronze.loads
