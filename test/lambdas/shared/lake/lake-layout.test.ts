import { describe, expect, it } from 'vitest';
import {
  BRONZE_PREFIX,
  hourPartitionPrefix,
  lakeObjectKey,
  parseLakeObjectKey,
  QUARANTINE_PREFIX,
} from '../../../../lambdas/shared/lake/lake-layout.js';

describe('lake layout', () => {
  it('GIVEN instants WHEN placed THEN each goes to its UTC date and hour folder', () => {
    expect(hourPartitionPrefix(BRONZE_PREFIX, Date.parse('2026-01-01T09:59:59.999Z'))).toBe(
      'bronze/date=2026-01-01/hour=09/',
    );
    expect(hourPartitionPrefix(BRONZE_PREFIX, Date.parse('2026-01-01T00:30:00+05:30'))).toBe(
      'bronze/date=2025-12-31/hour=19/',
    );
    expect(hourPartitionPrefix(QUARANTINE_PREFIX, Date.parse('2026-02-28T23:00:00Z'))).toBe(
      'quarantine/date=2026-02-28/hour=23/',
    );
  });

  it('GIVEN an offset range WHEN named THEN the name reads back to the same range and sorts by offset', () => {
    const range = { topic: 'spotify-events', partition: 3, firstOffset: 4211, lastOffset: 4299 };
    const key = lakeObjectKey('bronze/date=2026-01-01/hour=09/', range);
    expect(key).toBe(
      'bronze/date=2026-01-01/hour=09/spotify-events+3+00000000000000004211-00000000000000004299.ndjson.gz',
    );
    expect(parseLakeObjectKey(key)).toEqual(range);
    const later = lakeObjectKey('bronze/date=2026-01-01/hour=09/', {
      ...range,
      firstOffset: 10_000,
      lastOffset: 10_001,
    });
    expect([later, key].sort()).toEqual([key, later]);
  });

  it('GIVEN keys this layout did not write WHEN parsed THEN they are not taken for lake objects', () => {
    expect(parseLakeObjectKey('bronze/date=2026-01-01/hour=09/notes.txt')).toBeNull();
    expect(parseLakeObjectKey('bronze/date=2026-01-01/hour=09/spotify-events+3+12-13.ndjson.gz')).toBeNull();
  });
});
