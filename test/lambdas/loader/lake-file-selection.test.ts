import { describe, expect, it } from 'vitest';
import { hourOfBronzeKey, selectFilesToLoad } from '../../../lambdas/loader/lake-file-selection.js';
import { parseBronzeFile } from '../../../lambdas/loader/parse-bronze-file.js';
import { aListeningEventRecord } from '../../support/listening-event-factory.js';

const key = (date: string, hour: string, first = 1) =>
  `bronze/date=${date}/hour=${hour}/spotify-events+0+${String(first).padStart(20, '0')}-${String(first + 9).padStart(20, '0')}.ndjson.gz`;

describe('selectFilesToLoad', () => {
  const now = Date.parse('2026-01-02T10:30:00Z');
  const window = { fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-01-03T00:00:00Z') };

  it('GIVEN files in closed hours, the open hour, outside the window and already loaded WHEN selected THEN only new files of closed hours in the window remain, in key order', () => {
    const listed = [
      key('2026-01-02', '09', 20),
      key('2026-01-02', '10'),
      key('2025-12-31', '23'),
      key('2026-01-01', '05'),
      key('2026-01-02', '09'),
      'bronze/date=2026-01-02/hour=09/notes.txt',
    ];
    const loaded = new Set([key('2026-01-01', '05')]);
    expect(selectFilesToLoad(listed, loaded, window, now, false)).toEqual([
      key('2026-01-02', '09'),
      key('2026-01-02', '09', 20),
    ]);
    expect(selectFilesToLoad(listed, loaded, window, now, true)).toContain(key('2026-01-02', '10'));
  });

  it('GIVEN keys WHEN their hour is read THEN it is the folder hour in UTC, and null outside the layout', () => {
    expect(hourOfBronzeKey(key('2026-01-02', '09'))).toBe(Date.parse('2026-01-02T09:00:00Z'));
    expect(hourOfBronzeKey('bronze/date=2026-01-02/hour=09/x.json')).toBeNull();
    expect(hourOfBronzeKey('quarantine/date=2026-01-02/hour=09/a.ndjson.gz')).toBeNull();
  });
});

describe('parseBronzeFile', () => {
  it('GIVEN a file with valid lines, a bad line and a blank line WHEN parsed THEN events are staged and the rest rejected with reasons and line numbers', () => {
    const text = `${JSON.stringify(aListeningEventRecord())}\n{"broken"\n\n${JSON.stringify(aListeningEventRecord({ event_type: 'skip' }))}\n`;
    const parsed = parseBronzeFile(text);
    expect(parsed.lines).toBe(4);
    expect(parsed.rows.map((row) => row.lineNumber)).toEqual([1, 4]);
    expect(parsed.rejects.map((reject) => [reject.lineNumber, reject.rawLine])).toEqual([
      [2, '{"broken"'],
      [3, ''],
    ]);
    expect(parsed.rejects[0]!.reason).toMatch(/is not valid JSON/);
    expect(parsed.rejects[1]!.reason).toMatch(/is empty/);
  });
});
