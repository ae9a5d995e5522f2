-- The gold layer: the KPIs the report reads. See sql/gold/README.md.
CREATE SCHEMA IF NOT EXISTS gold
