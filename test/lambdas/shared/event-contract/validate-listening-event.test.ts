import { describe, expect, it } from 'vitest';
import {
  type ContractProblem,
  describeProblems,
  parseListeningEventJson,
  validateListeningEvent,
} from '../../../../lambdas/shared/event-contract/validate-listening-event.js';
import { aListeningEventRecord, withoutFields } from '../../../support/listening-event-factory.js';

function problemsOf(record: unknown): readonly ContractProblem[] {
  const result = validateListeningEvent(record);
  if (result.ok) throw new Error(`expected ${JSON.stringify(record)} to be refused`);
  return result.problems;
}

describe('validateListeningEvent', () => {
  it('GIVEN a valid record WHEN validated THEN it returns the event in canonical form', () => {
    // Prepare
    const record = aListeningEventRecord({
      event_id: '0B6F3C1E-5D4A-4F7E-9A2B-1C3D5E7F9A0B',
      timestamp: '2026-01-01T15:00:00.25+05:30',
    });
    // Act
    const result = validateListeningEvent(record);
    // Assess
    expect(result).toEqual({
      ok: true,
      event: {
        ...aListeningEventRecord(),
        event_id: '0b6f3c1e-5d4a-4f7e-9a2b-1c3d5e7f9a0b',
        timestamp: '2026-01-01T09:30:00.250Z',
      },
    });
  });

  it('GIVEN a record with no session_id or ms_played WHEN validated THEN both come out as null', () => {
    const result = validateListeningEvent(withoutFields(aListeningEventRecord(), 'session_id', 'ms_played'));
    expect(result.ok && [result.event.session_id, result.event.ms_played]).toEqual([null, null]);
    const explicitNulls = validateListeningEvent(
      aListeningEventRecord({ session_id: null, ms_played: null }),
    );
    expect(explicitNulls.ok && [explicitNulls.event.session_id, explicitNulls.event.ms_played]).toEqual([
      null,
      null,
    ]);
  });

  // Each field's bad values, with the reason a person should read.
  it.each([
    ['schema_version', 2, /is not a supported version \(supported: 1\)/],
    ['schema_version', '1', /is a string; it must be the number 1/],
    ['event_id', 'not-a-uuid', /is not a UUID/],
    ['event_id', 42, /is a number, not a UUID string/],
    ['event_id', '0b6f3c1e5d4a4f7e9a2b1c3d5e7f9a0b', /is not a UUID/],
    ['session_id', 'session-1', /is not a UUID/],
    ['user_id', '', /is empty, has surrounding white space or holds control characters/],
    ['user_id', ' user_1', /surrounding white space/],
    ['user_id', 'user\u00001', /control characters/],
    ['user_id', 17, /is a number, not a string/],
    ['user_id', 'u'.repeat(129), /is 129 characters long; the limit is 128/],
    ['song_id', null, /is null, not a string/],
    ['song_id', ['song_1'], /is an array, not a string/],
    ['artist_name', '   ', /is empty/],
    ['artist_name', { name: 'ABBA' }, /is an object, not a string/],
    ['song_name', 'x'.repeat(513), /is 513 characters long; the limit is 512/],
    ['song_name', false, /is a boolean, not a string/],
    ['event_type', 'stop', /is not one of play, pause, skip, add_to_playlist$/],
    ['event_type', 'PLAY', /\(values are lower case: "play"\)/],
    ['event_type', 1, /is not one of play, pause, skip, add_to_playlist/],
    ['device_type', 'tv', /is not one of mobile, desktop, web/],
    ['device_type', 'Mobile', /values are lower case: "mobile"/],
    ['country', 'UK', /is not an ISO 3166-1 code: the United Kingdom is "GB"/],
    ['country', 'us', /is lower case: ISO 3166-1 codes are upper case \("US"\)/],
    ['country', 'XX', /is not an ISO 3166-1 alpha-2 country code/],
    ['country', 'USA', /is not an ISO 3166-1 alpha-2 country code/],
    ['country', 840, /is a number, not a country code/],
    ['ms_played', -1, /is not a whole number of milliseconds from 0 to 86400000/],
    ['ms_played', 1.5, /is not a whole number of milliseconds/],
    ['ms_played', 86_400_001, /is not a whole number of milliseconds/],
    ['ms_played', '1200', /is a string, not a number/],
    ['timestamp', '2026-01-01T09:30:00', /has no time zone/],
    ['timestamp', 'yesterday', /is not an ISO-8601 date-time/],
    ['timestamp', 1767259800000, /is a number, not an ISO-8601 string/],
    ['timestamp', '2026-02-30T09:30:00Z', /has day 30/],
  ])('GIVEN %s = %j WHEN validated THEN that one field is refused with a reason', (field, value, reason) => {
    const problems = problemsOf(aListeningEventRecord({ [field]: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field });
    expect(problems[0]!.reason).toMatch(reason);
  });

  it.each([
    'schema_version',
    'event_id',
    'user_id',
    'song_id',
    'artist_name',
    'song_name',
    'event_type',
    'device_type',
    'country',
    'timestamp',
  ])('GIVEN no %s WHEN validated THEN it is reported missing', (field) => {
    const problems = problemsOf(withoutFields(aListeningEventRecord(), field));
    expect(problems).toEqual([{ field, value: null, reason: expect.stringMatching(/^is missing/) }]);
  });

  it('GIVEN a record with several faults WHEN validated THEN every problem is returned, not just the first', () => {
    const record = withoutFields(
      aListeningEventRecord({
        event_type: 'stop',
        country: 'UK',
        timestamp: '2026-01-01 09:30:00',
        extra: 1,
      }),
      'user_id',
    );
    const problems = problemsOf(record);
    expect(problems.map((problem) => problem.field).sort()).toEqual(
      ['country', 'event_type', 'extra', 'timestamp', 'user_id'].sort(),
    );
  });

  it('GIVEN a field the contract does not have WHEN validated THEN it is refused by name', () => {
    const problems = problemsOf(aListeningEventRecord({ mood: 'happy' }));
    expect(problems).toEqual([
      { field: 'mood', value: '"happy"', reason: expect.stringMatching(/is not a field of the v1 contract/) },
    ]);
  });

  it.each([
    [[aListeningEventRecord()], /is a JSON array, not an object: send one event per record/],
    [null, /is null, not a JSON object/],
    ['play', /is a string, not a JSON object/],
    [42, /is a number, not a JSON object/],
  ])('GIVEN the record %j WHEN validated THEN the record as a whole is refused', (record, reason) => {
    const problems = problemsOf(record);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: '(record)' });
    expect(problems[0]!.reason).toMatch(reason);
  });

  it('GIVEN a megabyte-long value WHEN refused THEN the problem shows a short preview, not the value', () => {
    const huge = 'a'.repeat(1024 * 1024);
    const problems = problemsOf(aListeningEventRecord({ song_name: huge }));
    expect(problems[0]!.reason).toMatch(/is 1048576 characters long/);
    expect(problems[0]!.value!.length).toBeLessThan(200);
  });
});

describe('parseListeningEventJson', () => {
  it('GIVEN a valid JSON line WHEN parsed THEN the event comes back', () => {
    const result = parseListeningEventJson(JSON.stringify(aListeningEventRecord()));
    expect(result.ok && result.event.event_id).toBe('0b6f3c1e-5d4a-4f7e-9a2b-1c3d5e7f9a0b');
  });

  it.each([
    ['{"schema_version":1,"event_id":', /is not valid JSON \(/],
    ['', /is empty: each record must hold one JSON event/],
    ['   ', /is empty/],
    ['not json', /is not valid JSON/],
  ])('GIVEN the text %j WHEN parsed THEN it is refused as a whole', (text, reason) => {
    const result = parseListeningEventJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.reason).toMatch(reason);
    }
  });
});

describe('describeProblems', () => {
  it('GIVEN problems WHEN described THEN each reads field, value and reason, in one line', () => {
    const problems = problemsOf(withoutFields(aListeningEventRecord({ event_type: 'stop' }), 'user_id'));
    expect(describeProblems(problems)).toBe(
      'user_id is missing; event_type "stop" is not one of play, pause, skip, add_to_playlist',
    );
  });
});
