-- The silver layer: contract-checked, deduplicated events with parsed UTC times. See sql/silver/README.md.
CREATE SCHEMA IF NOT EXISTS silver
