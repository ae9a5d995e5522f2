-- DuckDB only: the Snowflake names the project's SQL uses that DuckDB lacks, in one place, so the
-- Snowflake-dialect files under sql/ run unchanged on the embedded warehouse. Run on every open of
-- a DuckDB warehouse (openDuckDbWarehouse's setupSql). Macros are TEMP (per connection, never
-- written into the database file); the type alias is stored once.
-- Not checked against Snowflake's dialect (it is not meant for Snowflake); it is parsed as DuckDB.

-- Snowflake's TIMESTAMP_NTZ: a wall-clock time with no zone. Silver keeps UTC wall-clock times.
CREATE TYPE IF NOT EXISTS timestamp_ntz AS TIMESTAMP;

-- TRY_TO_TIMESTAMP_TZ(text): NULL instead of an error for text that is not a timestamp.
CREATE OR REPLACE TEMP MACRO try_to_timestamp_tz(text) AS TRY_CAST(text AS TIMESTAMPTZ);

-- CONVERT_TIMEZONE(target_zone, timestamp_tz), two-argument form: the time as seen in target_zone.
-- Snowflake returns a TIMESTAMP_TZ in that zone, DuckDB its wall-clock TIMESTAMP; both give the
-- same TIMESTAMP_NTZ when cast, which is how the project uses it. For 'UTC' the wall-clock time is
-- the instant's own microseconds since the epoch, so no ICU calendar is consulted: silver converts
-- every row it takes, and the calendar lookup would be most of that work.
CREATE OR REPLACE TEMP MACRO convert_timezone(target_zone, ts) AS
    CASE WHEN target_zone = 'UTC' THEN make_timestamp(epoch_us(ts)) ELSE timezone(target_zone, ts) END;

-- REGEXP_LIKE(subject, pattern): Snowflake anchors the pattern at both ends, as regexp_full_match does.
CREATE OR REPLACE TEMP MACRO regexp_like(subject, pattern) AS regexp_full_match(subject, pattern);
