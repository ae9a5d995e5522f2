-- Removes the hours of the pending UTC days (those new events fell on); the next file recomputes
-- them from silver. Other hours are left as they are.
DELETE FROM gold.hourly_event_volume
WHERE CAST(hour AS DATE) IN (SELECT event_day FROM silver.pending_days)
