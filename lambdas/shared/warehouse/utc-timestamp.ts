/**
 * A TIMESTAMP_NTZ value (UTC wall-clock time, as every table of the project keeps its times) as
 * the drivers give it, written as ISO-8601 UTC (`2026-01-08T00:05:00.000Z`), or null for NULL.
 *
 * DuckDB gives a Date. snowflake-sdk gives a Date too, but one whose toJSON writes the session's
 * output format (which may drop the zone, or the milliseconds), so a result holding it would not
 * serialise to what it holds: it is written here instead. A driver set to fetch times as text gives
 * `2026-01-08 00:05:00.000`, which, having no zone, is read as UTC. `column` names the value in the
 * error for anything else.
 */
export function utcIsoTimestamp(value: unknown, column: string): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string') {
    const text = value.trim().replace(' ', 'T');
    const epochMs = Date.parse(ZONE.test(text) ? text : `${text}Z`);
    if (WALL_CLOCK.test(text) && !Number.isNaN(epochMs)) return new Date(epochMs).toISOString();
  }
  throw new Error(
    `${column}: ${JSON.stringify(String(value))} is not a timestamp; expected a TIMESTAMP_NTZ column, which the drivers give as a Date or as "YYYY-MM-DD HH:MM:SS[.fff]"`,
  );
}

/** A date and a time to the second or finer, with or without a zone after it. */
const WALL_CLOCK = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/;
