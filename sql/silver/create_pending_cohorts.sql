-- silver.pending_cohorts. Grain: one row per (cohort day, run that touched it); duplicates are
-- harmless. The cohorts gold.cohort_retention must recompute: written by gold.user_retention in the
-- transaction that moves users' first days, cleared by gold.cohort_retention once it has.
CREATE TABLE IF NOT EXISTS silver.pending_cohorts (
    cohort_day DATE NOT NULL
)
