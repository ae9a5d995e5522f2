-- Removes the rows whose windows hold a pending UTC day (one new events fell on): the pending day
-- itself and the 27 days after it, whose 28-day windows reach back to it. The next file writes
-- them again; other days are left as they are.
DELETE FROM gold.active_users
USING silver.pending_days AS p
WHERE gold.active_users.day >= p.event_day AND gold.active_users.day <= p.event_day + 27
