import { ISO_3166_ALPHA2_CODES } from '../../shared/event-contract/iso-3166-alpha2.js';
import { DEFAULT_COUNTRIES } from '../../shared/event-contract/listening-event.js';
import { Catalogue, songIdOf, songIndexOf } from './catalogue.js';
import { ListeningSimulator, type SkipRateWindow } from './listening-simulator.js';
import { SeededRandom } from './seeded-random.js';

/** What the generator can be asked for. Only `seed` and `count` are required. */
export interface GeneratorOptions {
  /** The same seed and options give byte-identical output. */
  readonly seed: number;
  /** Lines to produce, faults included. */
  readonly count: number;
  /** @default 20 - as in the seed project */
  readonly users?: number;
  /** @default 6 - as in the seed project */
  readonly songs?: number;
  /**
   * Epoch milliseconds of the first session; event times move forward from here.
   * @default 2026-01-01T00:00:00Z - fixed, so that output does not depend on when it is generated
   */
  readonly startMs?: number;
  /**
   * Share of lines, from 0 to 1, that are faults: duplicates, late events or malformed records.
   * @default 0
   */
  readonly faultRate?: number;
  /** @default DEFAULT_COUNTRIES */
  readonly countries?: readonly string[];
  /**
   * The service-wide pace to simulate, in events per second of event time. The live producer sets
   * it to its send rate, so that event times keep step with the clock.
   * @default - about two sessions per user per day, the pace of real listeners
   */
  readonly eventsPerSecond?: number;
  /**
   * Songs skipped at a rate of their own on one UTC day: anomalies injected for a detection model
   * to find. Events before the first playback a shift changes are byte-identical to those without
   * it; after it the simulation draws differently, so later events differ in detail, but only the
   * shifted song on its day differs in skip rate.
   * @default - none
   */
  readonly skipRateShifts?: readonly SkipRateShift[];
}

/** One song skipped with chance `skipRate`, instead of its usual chance, during one UTC day. */
export interface SkipRateShift {
  /** A song of the catalogue, as events name it: `song_000001`. */
  readonly songId: string;
  /** `YYYY-MM-DD`: playbacks that start on this UTC day are shifted. */
  readonly day: string;
  /** Chance, from 0 to 1, that a playback of the song that day is skipped. */
  readonly skipRate: number;
}

export const DEFAULT_START_MS = Date.UTC(2026, 0, 1);
export const MAX_USERS = 10_000_000;
export const MAX_SONGS = 1_000_000;

/**
 * The faults `faultRate` mixes in. `duplicate` repeats an earlier line byte for byte (same
 * `event_id`); `late` is a valid play hours older than the stream; the rest break the contract.
 */
export const FAULT_KINDS = [
  'duplicate',
  'late',
  'invalid_json',
  'missing_field',
  'wrong_enum',
  'wrong_type',
  'timestamp_without_zone',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults whose line fails validation; `duplicate` and `late` lines are valid events. */
export const MALFORMED_FAULT_KINDS: ReadonlySet<FaultKind> = new Set([
  'invalid_json',
  'missing_field',
  'wrong_enum',
  'wrong_type',
  'timestamp_without_zone',
]);

export interface GeneratedLine {
  /** One NDJSON line, without its newline. */
  readonly text: string;
  /** Null for an ordinary event. */
  readonly fault: FaultKind | null;
}

/** An option out of range; `option` names it as the library does, the CLI maps it to its flag. */
export class GeneratorOptionError extends Error {
  constructor(
    readonly option: keyof GeneratorOptions,
    message: string,
  ) {
    super(message);
    this.name = 'GeneratorOptionError';
  }
}

const RECENT_LINES_KEPT = 256;
const LATE_MIN_MS = 3_600_000;
const LATE_MAX_MS = 48 * 3_600_000;

/**
 * Realistic listening events as NDJSON lines, deterministic in `options`. The ordinary events come
 * from a random stream of their own, so turning faults on interleaves fault lines without changing
 * the events around them.
 */
export function* generateEventLines(options: GeneratorOptions): Generator<GeneratedLine, void, undefined> {
  const resolved = resolveGeneratorOptions(options);
  const catalogue = new Catalogue(resolved);
  const simulator = new ListeningSimulator(
    catalogue,
    new SeededRandom(resolved.seed, 2),
    resolved.startMs,
    resolved.eventsPerSecond,
    resolved.skipRateShifts.map(skipRateWindow(resolved.songs)),
  );
  const faultRandom = new SeededRandom(resolved.seed, 3);
  const recent: string[] = [];

  for (let produced = 0; produced < resolved.count; produced++) {
    if (resolved.faultRate > 0 && recent.length > 0 && faultRandom.chance(resolved.faultRate)) {
      const fault = FAULT_KINDS[faultRandom.nextInt(FAULT_KINDS.length)]!;
      yield { text: faultyLine(fault, recent, simulator, faultRandom), fault };
      continue;
    }
    const text = simulator.nextEventLine();
    if (recent.length === RECENT_LINES_KEPT) recent[produced % RECENT_LINES_KEPT] = text;
    else recent.push(text);
    yield { text, fault: null };
  }
}

function faultyLine(
  fault: FaultKind,
  recent: readonly string[],
  simulator: ListeningSimulator,
  random: SeededRandom,
): string {
  const original = recent[random.nextInt(recent.length)]!;
  const event = JSON.parse(original) as Record<string, unknown>;
  switch (fault) {
    case 'duplicate':
      return original;
    case 'late':
      return simulator.lateEventLine(random.between(LATE_MIN_MS, LATE_MAX_MS), random);
    case 'invalid_json':
      // A record cut off mid-write, as a crashed client or a bad proxy leaves it.
      return original.slice(0, random.between(1, original.length - 2));
    case 'missing_field': {
      const field = ['user_id', 'song_id', 'event_type', 'timestamp', 'event_id'][random.nextInt(5)]!;
      delete event[field];
      break;
    }
    case 'wrong_enum':
      if (random.chance(0.5)) event.event_type = ['stop', 'PLAY', 'like', 'seek'][random.nextInt(4)];
      else event.device_type = ['tv', 'car', 'Mobile', 'smartwatch'][random.nextInt(4)];
      break;
    case 'wrong_type':
      if (random.chance(0.5)) event.ms_played = String(event.ms_played);
      else event.schema_version = '1';
      break;
    case 'timestamp_without_zone':
      event.timestamp = String(event.timestamp).replace(/(Z|[+-]\d{2}:\d{2})$/, '');
      break;
  }
  // A malformed record is a new record: give it an id of its own so it never collides with the original.
  if ('event_id' in event) event.event_id = random.uuid();
  return JSON.stringify(event);
}

const MS_PER_DAY = 86_400_000;

function skipRateWindow(songCount: number): (shift: SkipRateShift) => SkipRateWindow {
  return (shift) => {
    const fromMs = utcDayStartMs(shift.day)!;
    return {
      song: songIndexOf(shift.songId, songCount)!,
      fromMs,
      toMs: fromMs + MS_PER_DAY,
      skipRate: shift.skipRate,
    };
  };
}

/** Epoch milliseconds of the start of a `YYYY-MM-DD` UTC day, or undefined if it is no real date. */
function utcDayStartMs(day: string): number | undefined {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (parts === null) return undefined;
  const [year, month, date] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const startMs = Date.UTC(year, month - 1, date);
  // Date.UTC rolls 2026-02-30 over to March 2nd: a real date is one that comes back as given.
  const back = new Date(startMs);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === date
    ? startMs
    : undefined;
}

type ResolvedOptions = Required<Omit<GeneratorOptions, 'eventsPerSecond'>> &
  Pick<GeneratorOptions, 'eventsPerSecond'>;

/** Fills in defaults and checks every option, throwing a GeneratorOptionError that names the bad one. */
export function resolveGeneratorOptions(options: GeneratorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    seed: options.seed,
    count: options.count,
    users: options.users ?? 20,
    songs: options.songs ?? 6,
    startMs: options.startMs ?? DEFAULT_START_MS,
    faultRate: options.faultRate ?? 0,
    countries: options.countries ?? DEFAULT_COUNTRIES,
    eventsPerSecond: options.eventsPerSecond,
    skipRateShifts: options.skipRateShifts ?? [],
  };
  requireWhole('seed', resolved.seed, 0, 2 ** 32 - 1);
  requireWhole('count', resolved.count, 0, Number.MAX_SAFE_INTEGER);
  requireWhole('users', resolved.users, 1, MAX_USERS);
  requireWhole('songs', resolved.songs, 1, MAX_SONGS);
  if (!Number.isFinite(resolved.startMs))
    throw new GeneratorOptionError('startMs', 'start must be a valid time');
  if (!(resolved.faultRate >= 0 && resolved.faultRate <= 1)) {
    throw new GeneratorOptionError(
      'faultRate',
      `faults must be a share from 0 to 1, got ${resolved.faultRate}`,
    );
  }
  if (
    resolved.eventsPerSecond !== undefined &&
    !(resolved.eventsPerSecond > 0 && resolved.eventsPerSecond <= 1_000_000)
  ) {
    throw new GeneratorOptionError(
      'eventsPerSecond',
      `events per second must be above 0 and at most 1,000,000, got ${resolved.eventsPerSecond}`,
    );
  }
  if (resolved.countries.length === 0)
    throw new GeneratorOptionError('countries', 'countries must not be empty');
  const unknown = resolved.countries.filter((code) => !ISO_3166_ALPHA2_CODES.has(code));
  if (unknown.length > 0) {
    throw new GeneratorOptionError(
      'countries',
      `countries must be ISO 3166-1 alpha-2 codes; not: ${unknown.join(', ')}`,
    );
  }
  checkSkipRateShifts(resolved.skipRateShifts, resolved.songs);
  return resolved;
}

function checkSkipRateShifts(shifts: readonly SkipRateShift[], songCount: number): void {
  const seen = new Set<string>();
  for (const { songId, day, skipRate } of shifts) {
    if (songIndexOf(songId, songCount) === undefined) {
      const songs =
        songCount === 1
          ? songIdOf(0, songCount)
          : `one of ${songIdOf(0, songCount)} to ${songIdOf(songCount - 1, songCount)}`;
      throw new GeneratorOptionError(
        'skipRateShifts',
        `skip-rate shift song "${songId}" is not in the catalogue of ${songCount.toLocaleString('en-US')} song${songCount === 1 ? '' : 's'}; give ${songs}`,
      );
    }
    if (utcDayStartMs(day) === undefined) {
      throw new GeneratorOptionError(
        'skipRateShifts',
        `skip-rate shift day "${day}" for ${songId} is not a real date; give a UTC day as YYYY-MM-DD, e.g. 2026-01-10`,
      );
    }
    if (!(typeof skipRate === 'number' && skipRate >= 0 && skipRate <= 1)) {
      throw new GeneratorOptionError(
        'skipRateShifts',
        `skip-rate shift rate ${skipRate} for ${songId} on ${day} is not a share from 0 to 1; give e.g. 0.9 for 90% of its plays skipped`,
      );
    }
    const key = `${songId} ${day}`;
    if (seen.has(key)) {
      throw new GeneratorOptionError(
        'skipRateShifts',
        `two skip-rate shifts for ${songId} on ${day}; give at most one rate per song and day`,
      );
    }
    seen.add(key);
  }
}

function requireWhole(
  option: 'seed' | 'count' | 'users' | 'songs',
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GeneratorOptionError(
      option,
      `${option} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${value}`,
    );
  }
}
