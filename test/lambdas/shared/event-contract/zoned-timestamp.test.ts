import { describe, expect, it } from 'vitest';
import { parseZonedTimestamp } from '../../../../lambdas/shared/event-contract/zoned-timestamp.js';

describe('parseZonedTimestamp', () => {
  it.each([
    ['2026-01-01T09:30:00Z', '2026-01-01T09:30:00.000Z'],
    ['2026-01-01T09:30:00.5Z', '2026-01-01T09:30:00.500Z'],
    ['2026-01-01T09:30:00.123456789Z', '2026-01-01T09:30:00.123Z'],
    ['2026-01-01T15:00:00+05:30', '2026-01-01T09:30:00.000Z'],
    ['2026-01-01T01:30:00-08:00', '2026-01-01T09:30:00.000Z'],
    ['2026-01-01T00:15:00+01:00', '2025-12-31T23:15:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
  ])('GIVEN %s WHEN parsed THEN it is %s in UTC', (text, utc) => {
    const parsed = parseZonedTimestamp(text);
    expect(parsed).toEqual({ ok: true, epochMs: Date.parse(utc), utc });
  });

  it.each([
    ['2026-01-01T09:30:00', /has no time zone: add "Z"/],
    ['2026-01-01 09:30:00Z', /separates date and time with a space/],
    ['yesterday', /is not an ISO-8601 date-time/],
    ['', /is not an ISO-8601 date-time/],
    ['2026-1-1T09:30:00Z', /is not an ISO-8601 date-time/],
    ['2026-01-01T09:30Z', /is not an ISO-8601 date-time/],
    ['2025-02-29T12:00:00Z', /has day 29, which 2025-02 does not have/],
    ['1900-02-29T12:00:00Z', /is before 1970/],
    ['2026-04-31T12:00:00Z', /has day 31/],
    ['2026-13-01T12:00:00Z', /has month 13/],
    ['2026-01-01T24:00:00Z', /outside 00:00:00-23:59:59/],
    ['2026-01-01T23:60:00Z', /outside 00:00:00-23:59:59/],
    ['2026-01-01T23:59:60Z', /outside 00:00:00-23:59:59/],
    ['2026-01-01T09:30:00+24:00', /has offset \+24:00/],
    ['2026-01-01T09:30:00+0530', /is not an ISO-8601 date-time/],
    ['9999-12-31T23:00:00-05:00', /is after 9999/],
  ])('GIVEN %j WHEN parsed THEN it is refused with a reason', (text, reason) => {
    const parsed = parseZonedTimestamp(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});
