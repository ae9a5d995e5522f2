import { describe, expect, it } from 'vitest';
import { Catalogue } from '../../../../lambdas/producer/generator/catalogue.js';
import {
  type FaultKind,
  type GeneratedLine,
  GeneratorOptionError,
  type GeneratorOptions,
  generateEventLines,
  MALFORMED_FAULT_KINDS,
} from '../../../../lambdas/producer/generator/generate-events.js';
import {
  DEFAULT_COUNTRIES,
  type ListeningEvent,
} from '../../../../lambdas/shared/event-contract/listening-event.js';
import { parseListeningEventJson } from '../../../../lambdas/shared/event-contract/validate-listening-event.js';

function lines(options: GeneratorOptions): GeneratedLine[] {
  return [...generateEventLines(options)];
}

function validEvents(options: GeneratorOptions): ListeningEvent[] {
  return lines(options).map((line) => {
    const result = parseListeningEventJson(line.text);
    if (!result.ok) throw new Error(`generated line is invalid: ${line.text}`);
    return result.event;
  });
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('generateEventLines: determinism', () => {
  it('GIVEN the same seed and options WHEN generated twice THEN the output is identical, byte for byte', () => {
    const options = { seed: 7, count: 5_000, users: 50, songs: 30, faultRate: 0.1 };
    const first = lines(options)
      .map((line) => line.text)
      .join('\n');
    const second = lines(options)
      .map((line) => line.text)
      .join('\n');
    expect(first.length).toBeGreaterThan(1_000_000);
    expect(first === second).toBe(true);
  });

  it('GIVEN two seeds WHEN generated THEN the outputs differ', () => {
    expect(lines({ seed: 1, count: 100 })).not.toEqual(lines({ seed: 2, count: 100 }));
  });

  it('GIVEN faults turned on WHEN generated THEN the ordinary events are the same as without faults', () => {
    const clean = lines({ seed: 5, count: 2_000 }).map((line) => line.text);
    const ordinary = lines({ seed: 5, count: 2_000, faultRate: 0.2 })
      .filter((line) => line.fault === null)
      .map((line) => line.text);
    expect(ordinary.length).toBeGreaterThan(1_400);
    const firstDifference = ordinary.findIndex((text, index) => text !== clean[index]);
    expect(firstDifference).toBe(-1);
  });
});

describe('generateEventLines: the contract', () => {
  it('GIVEN no faults WHEN generated THEN every line passes the contract and the count is exact', () => {
    const events = validEvents({ seed: 7, count: 20_000 });
    expect(events).toHaveLength(20_000);
    expect(new Set(events.map((event) => event.event_id)).size).toBe(20_000);
  });

  it('GIVEN the default catalogue WHEN generated THEN it has 20 users, 6 songs and the seed countries with GB for the UK', () => {
    const events = validEvents({ seed: 3, count: 20_000 });
    expect(new Set(events.map((event) => event.user_id)).size).toBe(20);
    expect(new Set(events.map((event) => event.song_id)).size).toBe(6);
    const countries = new Set(events.map((event) => event.country));
    for (const country of countries) expect(['US', 'GB', 'CA', 'AU', 'IN', 'DE']).toContain(country);
  });

  it('GIVEN a start time WHEN generated THEN event times move forward from it', () => {
    const startMs = Date.parse('2026-03-01T12:00:00Z');
    const times = validEvents({ seed: 9, count: 5_000, startMs }).map((event) => Date.parse(event.timestamp));
    expect(times[0]).toBe(startMs);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times.at(-1)! - startMs).toBeGreaterThan(86_400_000);
  });

  it('GIVEN generated lines WHEN read THEN timestamps carry the device local offset and normalise to UTC', () => {
    const texts = lines({ seed: 4, count: 2_000 }).map((line) => JSON.parse(line.text).timestamp as string);
    expect(texts.some((text) => /[+-]\d{2}:\d{2}$/.test(text))).toBe(true);
    for (const text of texts) expect(text).toMatch(/(Z|[+-]\d{2}:\d{2})$/);
  });
});

describe('generateEventLines: pace', () => {
  it.each([
    1, 50, 2_000,
  ])('GIVEN a pace of %d events/s WHEN generated THEN event times advance at about that rate from the start', (rate) => {
    const startMs = Date.parse('2026-01-01T00:00:00Z');
    const times = validEvents({ seed: 3, count: 20_000, eventsPerSecond: rate, startMs }).map((event) =>
      Date.parse(event.timestamp),
    );
    expect(Math.min(...times)).toBeGreaterThanOrEqual(startMs);
    const observed = times.length / ((Math.max(...times) - startMs) / 1000);
    expect(observed).toBeGreaterThan(rate * 0.8);
    expect(observed).toBeLessThan(rate * 1.25);
  });
});

describe('generateEventLines: realism', () => {
  const events = validEvents({ seed: 21, count: 60_000, users: 300, songs: 1_000 });

  it('GIVEN sessions WHEN replayed THEN each pause, skip and playlist add follows a play of the same song by the same user', () => {
    const playing = new Map<string, { song: string; user: string; active: boolean }>();
    let checked = 0;
    for (const event of events) {
      const session = event.session_id!;
      const state = playing.get(session);
      if (event.event_type === 'play') {
        if (state) expect(state.user).toBe(event.user_id);
        playing.set(session, { song: event.song_id, user: event.user_id, active: true });
        continue;
      }
      checked++;
      expect(state, `${event.event_type} ${event.event_id} has no play before it`).toBeDefined();
      expect({ song: state!.song, user: state!.user, active: state!.active }).toEqual({
        song: event.song_id,
        user: event.user_id,
        active: true,
      });
      // After a pause or skip the song is no longer playing: the next event must be a play.
      if (event.event_type !== 'add_to_playlist') state!.active = false;
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it('GIVEN a resumed song WHEN replayed THEN it resumes from where it was paused', () => {
    const pausedAt = new Map<string, { song: string; position: number }>();
    let resumes = 0;
    for (const event of events) {
      const session = event.session_id!;
      const paused = pausedAt.get(session);
      if (event.event_type === 'pause')
        pausedAt.set(session, { song: event.song_id, position: event.ms_played! });
      else if (event.event_type === 'play' && paused) {
        pausedAt.delete(session);
        if (paused.song === event.song_id && event.ms_played! > 0) {
          expect(event.ms_played).toBe(paused.position);
          resumes++;
        }
      }
    }
    expect(resumes).toBeGreaterThan(100);
  });

  it("GIVEN many events WHEN grouped by user THEN a user's country never changes", () => {
    const countryOf = new Map<string, string>();
    for (const event of events) {
      const known = countryOf.get(event.user_id) ?? event.country;
      expect(event.country, event.user_id).toBe(known);
      countryOf.set(event.user_id, known);
    }
    expect(new Set(countryOf.values()).size).toBe(6);
  });

  it('GIVEN many events WHEN grouped by user THEN most of a user’s sessions are on one preferred device', () => {
    const sessionDevice = new Map<string, { user: string; device: string }>();
    for (const event of events) {
      const known = sessionDevice.get(event.session_id!);
      if (known) expect(event.device_type).toBe(known.device);
      else sessionDevice.set(event.session_id!, { user: event.user_id, device: event.device_type });
    }
    const byUser = new Map<string, string[]>();
    for (const { user, device } of sessionDevice.values())
      byUser.set(user, [...(byUser.get(user) ?? []), device]);
    let sessions = 0;
    let onTopDevice = 0;
    for (const devices of byUser.values()) {
      sessions += devices.length;
      onTopDevice += Math.max(...countBy(devices, (device) => device).values());
    }
    expect(onTopDevice / sessions).toBeGreaterThan(0.8);
  });

  it('GIVEN many plays WHEN counted by song THEN popularity is skewed like Zipf: a few songs take most plays', () => {
    const plays = [
      ...countBy(
        events.filter((event) => event.event_type === 'play'),
        (event) => event.song_id,
      ).values(),
    ].sort((a, b) => b - a);
    const total = plays.reduce((sum, count) => sum + count, 0);
    const topTenth = plays.slice(0, 100).reduce((sum, count) => sum + count, 0);
    expect(topTenth / total).toBeGreaterThan(0.5);
    // Zipf with exponent 1: the most played song has roughly ten times the plays of the tenth.
    expect(plays[0]! / plays[9]!).toBeGreaterThan(5);
    expect(plays[0]! / plays[9]!).toBeLessThan(20);
  });

  it('GIVEN many plays WHEN skips are counted by song THEN skip rates differ between songs', () => {
    const bySong = new Map<string, { plays: number; skips: number }>();
    for (const event of events) {
      const counts = bySong.get(event.song_id) ?? { plays: 0, skips: 0 };
      if (event.event_type === 'play' && event.ms_played === 0) counts.plays++;
      if (event.event_type === 'skip') counts.skips++;
      bySong.set(event.song_id, counts);
    }
    const rates = [...bySong.values()].filter((counts) => counts.plays >= 200).map((c) => c.skips / c.plays);
    expect(rates.length).toBeGreaterThan(5);
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.15);
  });

  it('GIVEN a catalogue of a million users and 100,000 songs WHEN generated THEN events are valid and spread over it', () => {
    const big = validEvents({ seed: 1, count: 20_000, users: 1_000_000, songs: 100_000 });
    expect(new Set(big.map((event) => event.user_id)).size).toBeGreaterThan(1_000);
    expect(new Set(big.map((event) => event.song_id)).size).toBeGreaterThan(1_000);
    expect(big.some((event) => event.user_id === 'user_1000000' || event.user_id > 'user_0500000')).toBe(
      true,
    );
  });
});

describe('generateEventLines: faults', () => {
  const faulty = lines({ seed: 13, count: 20_000, faultRate: 0.1 });
  const byKind = (kind: FaultKind) => faulty.filter((line) => line.fault === kind);

  it('GIVEN a fault rate WHEN generated THEN about that share of lines are faults, of every kind', () => {
    const faults = faulty.filter((line) => line.fault !== null);
    expect(faults.length / faulty.length).toBeGreaterThan(0.08);
    expect(faults.length / faulty.length).toBeLessThan(0.12);
    for (const kind of ['duplicate', 'late', ...MALFORMED_FAULT_KINDS] as FaultKind[]) {
      expect(byKind(kind).length, kind).toBeGreaterThan(100);
    }
  });

  it('GIVEN malformed lines WHEN validated THEN each fails with a reason that names its fault', () => {
    const expectedReason: Record<string, RegExp> = {
      invalid_json: /^\(record\) .* is not valid JSON/,
      missing_field: /^(user_id|song_id|event_type|timestamp|event_id) is missing/,
      wrong_enum: /^(event_type|device_type) ".*" is not one of/,
      wrong_type: /^(ms_played "\d+" is a string, not a number|schema_version "1" is a string)/,
      timestamp_without_zone: /^timestamp ".*" has no time zone/,
    };
    for (const line of faulty.filter((candidate) => MALFORMED_FAULT_KINDS.has(candidate.fault!))) {
      const result = parseListeningEventJson(line.text);
      expect(result.ok, line.text).toBe(false);
      if (!result.ok) {
        expect(result.problems).toHaveLength(1);
        const { field, value, reason } = result.problems[0]!;
        expect(`${field} ${value === null ? '' : `${value} `}${reason}`).toMatch(
          expectedReason[line.fault!]!,
        );
      }
    }
  });

  it('GIVEN duplicate lines WHEN compared THEN each repeats an earlier line byte for byte', () => {
    const seen = new Set<string>();
    for (const line of faulty) {
      if (line.fault === 'duplicate') expect(seen.has(line.text)).toBe(true);
      seen.add(line.text);
    }
  });

  it('GIVEN late lines WHEN compared with the events before them THEN they are valid and hours older', () => {
    let latestMs = 0;
    let late = 0;
    for (const line of faulty) {
      const result = parseListeningEventJson(line.text);
      if (!result.ok) continue;
      const timeMs = Date.parse(result.event.timestamp);
      if (line.fault === 'late') {
        late++;
        expect(latestMs - timeMs).toBeGreaterThanOrEqual(3_600_000);
        expect(latestMs - timeMs).toBeLessThanOrEqual(48 * 3_600_000);
      } else latestMs = Math.max(latestMs, timeMs);
    }
    expect(late).toBeGreaterThan(100);
  });
});

describe('generateEventLines: options', () => {
  it.each([
    [{ seed: -1, count: 1 }, 'seed', /seed must be a whole number/],
    [{ seed: 1, count: 1.5 }, 'count', /count must be a whole number/],
    [{ seed: 1, count: 1, users: 0 }, 'users', /users must be a whole number from 1/],
    [{ seed: 1, count: 1, songs: 2_000_000 }, 'songs', /songs must be a whole number from 1 to 1,000,000/],
    [{ seed: 1, count: 1, faultRate: 1.5 }, 'faultRate', /faults must be a share from 0 to 1/],
    [{ seed: 1, count: 1, countries: ['UK'] }, 'countries', /ISO 3166-1 alpha-2 codes; not: UK/],
    [{ seed: 1, count: 1, eventsPerSecond: 0 }, 'eventsPerSecond', /events per second must be above 0/],
    [
      {
        seed: 1,
        count: 1,
        songs: 50,
        skipRateShifts: [{ songId: 'song_000051', day: '2026-01-10', skipRate: 0.9 }],
      },
      'skipRateShifts',
      /song "song_000051" is not in the catalogue of 50 songs; give one of song_000001 to song_000050$/,
    ],
    [
      {
        seed: 1,
        count: 1,
        songs: 1,
        skipRateShifts: [{ songId: 'song_1', day: '2026-01-10', skipRate: 0.9 }],
      },
      'skipRateShifts',
      /song "song_1" is not in the catalogue of 1 song; give song_000001$/,
    ],
    [
      { seed: 1, count: 1, skipRateShifts: [{ songId: 'song_000001', day: '2026-02-30', skipRate: 0.9 }] },
      'skipRateShifts',
      /day "2026-02-30" for song_000001 is not a real date; give a UTC day as YYYY-MM-DD/,
    ],
    [
      { seed: 1, count: 1, skipRateShifts: [{ songId: 'song_000001', day: '2026-1-10', skipRate: 0.9 }] },
      'skipRateShifts',
      /day "2026-1-10" for song_000001 is not a real date/,
    ],
    [
      { seed: 1, count: 1, skipRateShifts: [{ songId: 'song_000001', day: '2026-01-10', skipRate: 1.5 }] },
      'skipRateShifts',
      /rate 1.5 for song_000001 on 2026-01-10 is not a share from 0 to 1; give e.g. 0.9/,
    ],
    [
      { seed: 1, count: 1, skipRateShifts: [{ songId: 'song_000001', day: '2026-01-10', skipRate: -0.1 }] },
      'skipRateShifts',
      /rate -0.1 for song_000001 on 2026-01-10 is not a share from 0 to 1/,
    ],
    [
      {
        seed: 1,
        count: 1,
        skipRateShifts: [
          { songId: 'song_000001', day: '2026-01-10', skipRate: 0.9 },
          { songId: 'song_000002', day: '2026-01-10', skipRate: 0.9 },
          { songId: 'song_000001', day: '2026-01-10', skipRate: 0.8 },
        ],
      },
      'skipRateShifts',
      /two skip-rate shifts for song_000001 on 2026-01-10; give at most one rate per song and day/,
    ],
  ] as const)('GIVEN %j WHEN generating THEN it throws naming %s', (options, option, message) => {
    const attempt = () => lines(options as GeneratorOptions);
    expect(attempt).toThrow(GeneratorOptionError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as GeneratorOptionError).option).toBe(option);
    }
  });
});

describe('generateEventLines: skip-rate shifts', () => {
  // About two sessions per user per day of about eleven events each: 27,000 events from 200 users
  // run from 2026-01-01 into 2026-01-05.
  const options = { seed: 5, count: 27_000, users: 200, songs: 20 };
  const shift = { songId: 'song_000003', day: '2026-01-03', skipRate: 0.95 };
  const shiftDayStartMs = Date.parse('2026-01-03T00:00:00Z');
  const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
  const clean = lines(options).map((line) => line.text);
  const shifted = lines({ ...options, skipRateShifts: [shift] }).map((line) => line.text);
  const usualSkipChance = new Map(
    new Catalogue({ ...options, countries: DEFAULT_COUNTRIES }).songs.map((song) => [
      song.id,
      song.skipChance,
    ]),
  );

  /**
   * Plays and skips by `song_id UTC-day`. Every play, a resumed one too, is one skip decision, so
   * skips per play estimates the chance the generator skipped with.
   */
  function skipCounts(texts: readonly string[]): Map<string, { plays: number; skips: number; rate: number }> {
    const counts = new Map<string, { plays: number; skips: number }>();
    for (const text of texts) {
      const event = JSON.parse(text) as ListeningEvent;
      const key = `${event.song_id} ${new Date(Date.parse(event.timestamp)).toISOString().slice(0, 10)}`;
      const count = counts.get(key) ?? { plays: 0, skips: 0 };
      if (event.event_type === 'play') count.plays++;
      if (event.event_type === 'skip') count.skips++;
      counts.set(key, count);
    }
    return new Map([...counts].map(([key, count]) => [key, { ...count, rate: count.skips / count.plays }]));
  }

  /** `song_id UTC-day` cells whose skip rate is more than four standard errors from the song's usual chance. */
  function outliers(texts: readonly string[]): string[] {
    return [...skipCounts(texts)]
      .filter(([key, { plays, rate }]) => {
        const usual = usualSkipChance.get(key.split(' ')[0]!)!;
        return plays >= 30 && Math.abs(rate - usual) > 4 * Math.sqrt((usual * (1 - usual)) / plays);
      })
      .map(([key]) => key);
  }

  it('GIVEN a skip rate of 0.95 for the most played song on one day WHEN generated THEN that song is skipped that much that day and as usual on the other days', () => {
    // Prepare
    const playsBySong = countBy(
      clean.map((text) => JSON.parse(text) as ListeningEvent).filter((event) => event.event_type === 'play'),
      (event) => event.song_id,
    );

    // Act
    const counts = skipCounts(shifted);
    const cleanCounts = skipCounts(clean);

    // Assess
    expect([...playsBySong].sort((a, b) => b[1] - a[1])[0]![0]).toBe('song_000003');
    for (const day of days) expect(counts.get(`song_000003 ${day}`)!.plays, day).toBeGreaterThan(500);
    expect(counts.get('song_000003 2026-01-03')!.rate).toBeGreaterThanOrEqual(0.8);
    expect(cleanCounts.get('song_000003 2026-01-03')!.rate).toBeLessThanOrEqual(0.5);
    for (const day of days.filter((other) => other !== '2026-01-03'))
      expect(counts.get(`song_000003 ${day}`)!.rate, day).toBeLessThanOrEqual(0.5);
  });

  it('GIVEN the same shift WHEN compared with the generation without it THEN every event before that day is byte for byte the same', () => {
    // Act
    const firstDifference = shifted.findIndex((text, index) => text !== clean[index]);

    // Assess
    const before = clean.filter((text) => Date.parse(JSON.parse(text).timestamp) < shiftDayStartMs);
    expect(before.length).toBeGreaterThan(8_000);
    expect(firstDifference).toBeGreaterThanOrEqual(before.length);
    expect(Date.parse(JSON.parse(shifted[firstDifference]!).timestamp)).toBeGreaterThanOrEqual(
      shiftDayStartMs,
    );
  });

  it('GIVEN skip rates per song and day checked against each song’s usual chance WHEN generated with and without the shift THEN the shifted cell is the one outlier, and without it there is none', () => {
    // Act
    const withShift = outliers(shifted);
    const withoutShift = outliers(clean);

    // Assess
    expect(skipCounts(shifted).size).toBeGreaterThanOrEqual(90);
    expect(withShift).toEqual(['song_000003 2026-01-03']);
    expect(withoutShift).toEqual([]);
  });

  it('GIVEN an empty list of shifts WHEN generated THEN the output is the same as without the option', () => {
    // Act
    const withEmptyList = lines({ ...options, count: 3_000, skipRateShifts: [] }).map((line) => line.text);

    // Assess
    expect(withEmptyList).toEqual(clean.slice(0, 3_000));
  });
});
