/**
 * Parses ISO-8601 / RFC 3339 date-times that carry an explicit zone (`Z` or `+hh:mm`/`-hh:mm`).
 * A time with no zone is ambiguous (whose local time?), so it is refused rather than guessed.
 */

export type ZonedTimestampResult =
  | { readonly ok: true; readonly epochMs: number; readonly utc: string }
  | { readonly ok: false; readonly reason: string };

const ZONED_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;
const LOOKS_LIKE_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** The earliest year accepted: nothing was streamed before the Unix epoch. */
export const EARLIEST_YEAR = 1970;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses `text` and normalises it to UTC with millisecond precision (digits past the millisecond
 * are truncated). Returns a reason a person can act on when it is not a valid zoned date-time.
 */
export function parseZonedTimestamp(text: string): ZonedTimestampResult {
  const match = ZONED_DATE_TIME.exec(text);
  if (match === null) {
    if (LOOKS_LIKE_DATE_TIME.test(text) && text.includes(' ')) {
      return {
        ok: false,
        reason: 'separates date and time with a space: use "T", as in 2026-01-01T09:30:00Z',
      };
    }
    return { ok: false, reason: 'is not an ISO-8601 date-time such as 2026-01-01T09:30:00Z' };
  }
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction, zone] = match;
  if (zone === undefined) {
    return { ok: false, reason: 'has no time zone: add "Z" for UTC or an offset such as "+05:30"' };
  }
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (year < EARLIEST_YEAR) return { ok: false, reason: `is before ${EARLIEST_YEAR}` };
  if (month < 1 || month > 12) return { ok: false, reason: `has month ${monthText}, outside 01-12` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `has day ${dayText}, which ${yearText}-${monthText} does not have` };
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return {
      ok: false,
      reason: `has time ${hourText}:${minuteText}:${secondText}, outside 00:00:00-23:59:59`,
    };
  }
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59)
      return { ok: false, reason: `has offset ${zone}, outside ±23:59` };
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Already canonical (what the consumer writes to the lake): nothing to convert.
  if (zone === 'Z' && fraction !== undefined && fraction.length === 3) {
    return {
      ok: true,
      epochMs: Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction)),
      utc: text,
    };
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  const utc = new Date(epochMs).toISOString();
  // An offset can carry 9999-12-31 into year 10000, which has no four-digit ISO form.
  if (utc.length !== 24) return { ok: false, reason: 'is after 9999-12-31T23:59:59Z in UTC' };
  return { ok: true, epochMs, utc };
}
